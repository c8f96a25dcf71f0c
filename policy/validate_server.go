package policy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Defaults of the process-wide settings.
const (
	defaultHTTPAddr        = "127.0.0.1:8080"
	defaultAdminAddr       = "127.0.0.1:9901"
	defaultAccessLogPath   = "stdout"
	defaultAccessLogFormat = "cloudfront"
	fallbackNodeName       = "edgeward"
)

func (v *validator) nodeName(c *Config) {
	if c.NodeName == "" {
		c.NodeName = fallbackNodeName
		if h, err := os.Hostname(); err == nil && validNodeName(h) {
			c.NodeName = h
		}
		return
	}
	if !validNodeName(c.NodeName) {
		v.errorf("node_name", "%q: use 1 to 255 letters, digits, '.', '_' or '-' (it is written into Via headers and log lines)", c.NodeName)
	}
}

func validNodeName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isNameByte(c) && c != '.' {
			return false
		}
	}
	return true
}

func (v *validator) listen(l *Listen) {
	if l.HTTP == "" {
		l.HTTP = defaultHTTPAddr
	} else if msg := checkListenAddr(l.HTTP); msg != "" {
		v.errorf("listen.http", "%q: %s", l.HTTP, msg)
	}
	switch {
	case l.Admin == "":
		l.Admin = defaultAdminAddr
	case l.Admin == "off":
	case checkListenAddr(l.Admin) != "":
		v.errorf("listen.admin", "%q: %s (or \"off\" to disable the admin API)", l.Admin, checkListenAddr(l.Admin))
	case l.Admin == l.HTTP && !strings.HasSuffix(l.Admin, ":0"):
		v.errorf("listen.admin", "%q is also listen.http; the admin API needs its own address", l.Admin)
	}
}

// checkListenAddr checks a host:port listen address; the host may be
// empty (all interfaces), an IP address or a name, the port 0..65535 (0
// picks a free port). It returns "" or what is wrong.
func checkListenAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "expected host:port, such as 127.0.0.1:8080 or :8080"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || strings.TrimLeft(port, "0123456789") != "" {
		return "the port must be a number from 0 to 65535"
	}
	if host != "" && !validHost(host) {
		return "the host must be an IP address or a host name"
	}
	return ""
}

func (v *validator) admin(a *Admin) {
	if a.TokenFile == "" {
		return
	}
	a.TokenFile = v.abs(a.TokenFile)
	tok, err := readSmallFile(a.TokenFile, maxTokenFile)
	switch {
	case err != nil:
		v.errorf("admin.token_file", "cannot read %s: %v", a.TokenFile, err)
	case strings.TrimSpace(string(tok)) == "":
		v.errorf("admin.token_file", "%s is empty; it must hold the admin bearer token", a.TokenFile)
	}
}

// maxTokenFile bounds the admin token file.
const maxTokenFile = 64 << 10

// readSmallFile reads a regular file of at most limit bytes (a device or
// FIFO named by mistake must not block or exhaust memory).
func readSmallFile(name string, limit int64) ([]byte, error) {
	st, err := os.Stat(name) // before opening: opening a FIFO blocks
	switch {
	case err != nil:
		return nil, unwrapPath(err)
	case !st.Mode().IsRegular():
		return nil, errors.New("not a regular file")
	case st.Size() > limit:
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

func (v *validator) accessLog(a *AccessLog) {
	switch a.Path {
	case "":
		a.Path = defaultAccessLogPath
	case "stdout", "stderr", "off":
	default:
		a.Path = v.abs(a.Path)
		if st, err := os.Stat(a.Path); err == nil && st.IsDir() {
			v.errorf("access_log.path", "%s is a directory; name a file (or stdout, stderr, off)", a.Path)
		} else if st, err := os.Stat(filepath.Dir(a.Path)); err != nil || !st.IsDir() {
			v.errorf("access_log.path", "the directory of %s does not exist", a.Path)
		}
	}
	switch a.Format {
	case "":
		a.Format = defaultAccessLogFormat
	case "cloudfront", "json":
	default:
		v.errorf("access_log.format", "%q: must be cloudfront or json", a.Format)
	}
}

// limits applies the defaults commented on Limits and checks the ranges.
func (v *validator) limits(l *Limits) {
	sizes := []struct {
		key      string
		val      *ByteSize
		def      ByteSize
		min, max ByteSize
	}{
		{"max_header_bytes", &l.MaxHeaderBytes, 20 << 10, 4 << 10, 1 << 20},
		{"max_url_bytes", &l.MaxURLBytes, 8 << 10, 1 << 10, 64 << 10},
	}
	for _, s := range sizes {
		path := "limits." + s.key
		switch {
		case !v.has(path) && *s.val == 0:
			*s.val = s.def
		case *s.val < s.min || *s.val > s.max:
			v.errorf(path, "%s is out of range: must be between %s and %s", *s.val, s.min, s.max)
		}
	}
	timeouts := []struct {
		key string
		val *Duration
		def time.Duration
	}{
		{"read_header_timeout", &l.ReadHeaderTimeout, 10 * time.Second},
		{"read_timeout", &l.ReadTimeout, 60 * time.Second},
		{"write_timeout", &l.WriteTimeout, 60 * time.Second},
		{"idle_timeout", &l.IdleTimeout, 60 * time.Second},
		{"shutdown_timeout", &l.ShutdownTimeout, 30 * time.Second},
	}
	for _, t := range timeouts {
		path := "limits." + t.key
		switch {
		case !v.has(path) && *t.val == 0:
			*t.val = Duration(t.def)
		case *t.val <= 0:
			v.errorf(path, "must be positive")
		}
	}
}
