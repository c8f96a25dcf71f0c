package policy

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// maxHostLen is the longest DNS name, in bytes.
const maxHostLen = 253

// normalizeHost checks a distribution host name and returns the form it is
// stored in: lower-case, without a trailing dot, an IP address in its
// canonical form (IPv6 without brackets). "*.example.com" matches exactly
// one label in front of example.com. Ports, schemes and paths are refused.
func normalizeHost(h string) (string, error) {
	switch {
	case h == "":
		return "", errors.New("must not be empty")
	case strings.Contains(h, "://"):
		return "", errors.New("must be a host name, not a URL")
	case strings.ContainsAny(h, "/?#"):
		return "", errors.New("must be a host name without a path")
	case strings.HasPrefix(h, "["):
		inner, ok := strings.CutSuffix(h[1:], "]")
		if !ok {
			if strings.Contains(h, "]:") {
				return "", errors.New("must not include a port")
			}
			return "", errors.New("not a valid IPv6 address")
		}
		return parseIPv6(inner)
	case strings.Count(h, ":") > 1:
		return parseIPv6(h)
	case strings.Contains(h, ":"):
		return "", errors.New("must not include a port")
	}
	name := strings.ToLower(strings.TrimSuffix(h, "."))
	if a, err := netip.ParseAddr(name); err == nil {
		return a.String(), nil
	}
	if rest, ok := strings.CutPrefix(name, "*."); ok {
		if err := checkDNSName(rest); err != nil {
			return "", err
		}
		return name, nil
	}
	return name, checkDNSName(name)
}

func parseIPv6(s string) (string, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return "", errors.New("not a valid IPv6 address")
	}
	if a.Zone() != "" {
		return "", errors.New("must not include an IPv6 zone")
	}
	return a.String(), nil
}

// checkDNSName checks a lower-case DNS name without a trailing dot:
// labels of 1 to 63 letters, digits, '-' or '_' not starting or ending
// with '-', at most 253 bytes, and a last label that is not all digits (so
// a mistyped IPv4 address is not taken for a name).
func checkDNSName(name string) error {
	if name == "" {
		return errors.New("must not be empty")
	}
	if len(name) > maxHostLen {
		return fmt.Errorf("longer than %d bytes", maxHostLen)
	}
	labels := strings.Split(name, ".")
	for _, label := range labels {
		if label == "" {
			return errors.New("has an empty label (two dots in a row, or a leading dot)")
		}
		if len(label) > 63 {
			return errors.New("has a label longer than 63 bytes")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("label %q must not start or end with '-'", label)
		}
		for i := 0; i < len(label); i++ {
			switch c := label[i]; {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
			case c == '*':
				return errors.New(`a wildcard is allowed only as the whole first label, as in "*.example.com"`)
			case c >= 0x80:
				return errors.New("has non-ASCII characters; use the punycode (xn--) form")
			default:
				return fmt.Errorf("has an invalid character %q", c)
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return errors.New("is neither a valid IP address nor a host name")
	}
	return nil
}

// validHost reports whether s is an IP address or a DNS name (any case,
// no wildcard, no port).
func validHost(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return !strings.Contains(s, "%")
	}
	return checkDNSName(strings.ToLower(strings.TrimSuffix(s, "."))) == nil
}

// validHostPort reports whether s is a host with an optional port, as a
// Host header carries it: "example.com", "example.com:8443", "[::1]:80".
func validHostPort(s string) bool {
	if host, port, err := net.SplitHostPort(s); err == nil {
		return validHost(host) && validPort(port)
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		a, err := netip.ParseAddr(s[1 : len(s)-1])
		return err == nil && a.Is6() && a.Zone() == ""
	}
	return !strings.Contains(s, ":") && validHost(s)
}

// validPort reports a port number from 1 to 65535 written in digits.
func validPort(p string) bool {
	if p == "" || len(p) > 5 || strings.Trim(p, "0123456789") != "" {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		n = n*10 + int(p[i]-'0')
	}
	return n >= 1 && n <= 65535
}
