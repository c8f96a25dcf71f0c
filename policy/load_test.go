package policy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// minimal is the smallest valid config: everything else is defaulted.
const minimal = `
distributions:
  - name: site
    hosts: [www.example.test]
    origins:
      - id: app
        url: http://127.0.0.1:9000
    default_behavior:
      origin: app
`

// writeConfig writes files (name -> content; a name ending in "/" is a
// directory) and the config into a new temporary directory and returns
// the config's path.
func writeConfig(t *testing.T, config string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "edgeward.yaml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustLoad(t *testing.T, path string) *Config {
	t.Helper()
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

func TestDefaults(t *testing.T) {
	cfg := mustLoad(t, writeConfig(t, minimal, nil))
	host, _ := os.Hostname()
	if !validNodeName(host) {
		host = "edgeward"
	}
	want := Config{
		NodeName:  host,
		Listen:    Listen{HTTP: "127.0.0.1:8080", Admin: "127.0.0.1:9901"},
		AccessLog: AccessLog{Path: "stdout", Format: "cloudfront"},
		Limits: Limits{
			MaxHeaderBytes:    20 << 10,
			MaxURLBytes:       8 << 10,
			ReadHeaderTimeout: Duration(10 * time.Second),
			ReadTimeout:       Duration(60 * time.Second),
			WriteTimeout:      Duration(60 * time.Second),
			IdleTimeout:       Duration(60 * time.Second),
			ShutdownTimeout:   Duration(30 * time.Second),
		},
		Distributions: []Distribution{{
			Name:  "site",
			Hosts: []string{"www.example.test"},
			Origins: []Origin{{
				ID:                 "app",
				URL:                "http://127.0.0.1:9000",
				ConnectTimeout:     Duration(10 * time.Second),
				ConnectionAttempts: 3,
				ReadTimeout:        Duration(30 * time.Second),
				KeepAliveTimeout:   Duration(5 * time.Second),
			}},
			DefaultBehavior: Behavior{Origin: "app", AllowedMethods: []string{"GET", "HEAD"}},
		}},
		File: cfg.File,
	}
	if !reflect.DeepEqual(*cfg, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", *cfg, want)
	}
}

func TestValidConfigs(t *testing.T) {
	cases := []struct {
		name   string
		config string
		files  map[string]string
		check  func(t *testing.T, c *Config, dir string)
	}{{
		name: "relative paths resolve against the config's directory",
		config: `
admin: {token_file: secrets/admin.token}
access_log: {path: logs/access.log, format: json}
distributions:
  - name: site
    hosts: [www.example.test]
    origins:
      - id: files
        dir: site
        path: //static//v1
    default_behavior: {origin: files}
`,
		files: map[string]string{"secrets/admin.token": "t0ken\n", "logs/": "", "site/": ""},
		check: func(t *testing.T, c *Config, dir string) {
			eq(t, "token_file", c.Admin.TokenFile, filepath.Join(dir, "secrets/admin.token"))
			eq(t, "access_log.path", c.AccessLog.Path, filepath.Join(dir, "logs/access.log"))
			eq(t, "access_log.format", c.AccessLog.Format, "json")
			o := c.Distributions[0].Origins[0]
			eq(t, "dir", o.Dir, filepath.Join(dir, "site"))
			eq(t, "path", o.Path, "/static/v1")
			if o.ConnectTimeout != 0 || o.ConnectionAttempts != 0 {
				t.Errorf("dir origin got url defaults: %+v", o)
			}
		},
	}, {
		name: "absolute paths are kept",
		config: `
access_log: {path: ABS/access.log}
distributions:
  - name: site
    hosts: [www.example.test]
    origins: [{id: files, dir: ABS}]
    default_behavior: {origin: files}
`,
		check: func(t *testing.T, c *Config, dir string) {
			eq(t, "access_log.path", c.AccessLog.Path, filepath.Join(dir, "access.log"))
			eq(t, "dir", c.Distributions[0].Origins[0].Dir, dir)
		},
	}, {
		name: "hosts are normalized",
		config: `
distributions:
  - name: site
    hosts: [WWW.Example.TEST., "*.Example.test", "[::1]", "FE80::1", 127.0.0.1, localhost]
    origins: [{id: app, url: "https://origin.example.test/"}]
    default_behavior: {origin: app}
`,
		check: func(t *testing.T, c *Config, _ string) {
			want := []string{"www.example.test", "*.example.test", "::1", "fe80::1", "127.0.0.1", "localhost"}
			if got := c.Distributions[0].Hosts; !slices.Equal(got, want) {
				t.Errorf("hosts = %q, want %q", got, want)
			}
		},
	}, {
		name: "methods are upper-cased, ordered and ALL expanded",
		config: `
distributions:
  - name: site
    hosts: [www.example.test]
    origins: [{id: app, url: "http://127.0.0.1:9000"}]
    default_behavior: {origin: app, allowed_methods: [all]}
    behaviors:
      - {path: /api/*, origin: app, allowed_methods: [post, Head, GET, options]}
      - {path: "*.jpg", origin: app}
`,
		check: func(t *testing.T, c *Config, _ string) {
			d := c.Distributions[0]
			eqs(t, "default", d.DefaultBehavior.AllowedMethods, allMethods)
			eqs(t, "api", d.Behaviors[0].AllowedMethods, []string{"GET", "HEAD", "OPTIONS", "POST"})
			eqs(t, "jpg", d.Behaviors[1].AllowedMethods, []string{"GET", "HEAD"})
		},
	}, {
		name: "explicit settings are kept",
		config: `
node_name: edge-7.fra
listen: {http: "[::1]:0", admin: "off"}
access_log: {path: stderr}
limits:
  max_header_bytes: 1MiB
  max_url_bytes: 1KiB
  read_header_timeout: 2s
  shutdown_timeout: 1m
distributions:
  - name: site
    hosts: [www.example.test]
    default_root_object: index.html
    origins:
      - id: app
        url: https://origin.example.test:8443
        path: /v1
        headers: {X-Origin-Verify: s3cret, X.Dotted: "a b"}
        connect_timeout: 1s
        connection_attempts: 1
        read_timeout: 60s
        keepalive_timeout: 1m
        host_header: "origin.example.test:8443"
    default_behavior: {origin: app}
    custom_error_responses:
      - {status: 404, page: /errors/404.html}
      - {status: 503, page: /errors/busy.html, response_code: 200}
`,
		check: func(t *testing.T, c *Config, _ string) {
			eq(t, "node_name", c.NodeName, "edge-7.fra")
			eq(t, "listen", c.Listen, Listen{HTTP: "[::1]:0", Admin: "off"})
			eq(t, "access_log", c.AccessLog, AccessLog{Path: "stderr", Format: "cloudfront"})
			eq(t, "max_header_bytes", c.Limits.MaxHeaderBytes, 1<<20)
			eq(t, "max_url_bytes", c.Limits.MaxURLBytes, 1<<10)
			eq(t, "read_header_timeout", c.Limits.ReadHeaderTimeout.Std(), 2*time.Second)
			eq(t, "shutdown_timeout", c.Limits.ShutdownTimeout.Std(), time.Minute)
			eq(t, "idle_timeout (default)", c.Limits.IdleTimeout.Std(), time.Minute)
			o := c.Distributions[0].Origins[0]
			eq(t, "origin", o, Origin{
				ID: "app", URL: "https://origin.example.test:8443", Path: "/v1",
				Headers:        map[string]string{"X-Origin-Verify": "s3cret", "X.Dotted": "a b"},
				ConnectTimeout: Duration(time.Second), ConnectionAttempts: 1,
				ReadTimeout: Duration(time.Minute), KeepAliveTimeout: Duration(time.Minute),
				HostHeader: "origin.example.test:8443",
			})
			eq(t, "errors", c.Distributions[0].CustomErrorResponses, []CustomErrorResponse{
				{Status: 404, Page: "/errors/404.html", ResponseCode: 404},
				{Status: 503, Page: "/errors/busy.html", ResponseCode: 200},
			})
		},
	}, {
		name: "anchors and merge keys",
		config: `
distributions:
  - name: one
    hosts: [one.example.test]
    origins:
      - &app {id: app, url: "http://127.0.0.1:9000", connect_timeout: 2s}
    default_behavior: &def {origin: app}
  - name: two
    hosts: [two.example.test]
    origins:
      - <<: *app
        connect_timeout: 3s
    default_behavior: *def
`,
		check: func(t *testing.T, c *Config, _ string) {
			eq(t, "one", c.Distributions[0].Origins[0].ConnectTimeout.Std(), 2*time.Second)
			o := c.Distributions[1].Origins[0]
			eq(t, "two id", o.ID, "app")
			eq(t, "two url", o.URL, "http://127.0.0.1:9000")
			eq(t, "two timeout", o.ConnectTimeout.Std(), 3*time.Second)
			eq(t, "two behavior", c.Distributions[1].DefaultBehavior.Origin, "app")
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, "", tc.files)
			dir := filepath.Dir(path)
			if err := os.WriteFile(path, []byte(strings.ReplaceAll(tc.config, "ABS", dir)), 0o600); err != nil {
				t.Fatal(err)
			}
			tc.check(t, mustLoad(t, path), dir)
		})
	}
}

func TestQuickstartConfig(t *testing.T) {
	cfg := mustLoad(t, "../testdata/quickstart/edgeward.yaml")
	abs, _ := filepath.Abs("../testdata/quickstart")
	eq(t, "token_file", cfg.Admin.TokenFile, filepath.Join(abs, "admin.token"))
	eq(t, "dir", cfg.Distributions[0].Origins[0].Dir, filepath.Join(abs, "site"))
	eq(t, "file", cfg.File, "../testdata/quickstart/edgeward.yaml")
}

func TestParseFromMemoryResolvesAgainstWorkingDirectory(t *testing.T) {
	cfg, err := Parse("", []byte(strings.ReplaceAll(minimal, "url: http://127.0.0.1:9000", "dir: .")))
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	eq(t, "dir", cfg.Distributions[0].Origins[0].Dir, wd)
	eq(t, "file", cfg.File, "")
}

func TestLoadUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.yaml")
	_, err := Load(path)
	var errs *Errors
	if !errors.As(err, &errs) || len(errs.Problems) != 1 || errs.Problems[0].Line != 0 {
		t.Fatalf("got %#v", err)
	}
	eq(t, "error", err.Error(), path+": cannot read the file: no such file or directory")
}

func TestTokenFileMustBeRegular(t *testing.T) {
	path := writeConfig(t, "admin: {token_file: tokendir}\n"+minimal, map[string]string{"tokendir/": ""})
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "admin.token_file: cannot read") || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("got %v", err)
	}
}

func TestProblemFormat(t *testing.T) {
	e := &Errors{Problems: []Problem{
		{File: "a.yaml", Line: 3, Msg: "x"},
		{File: "a.yaml", Msg: "whole file"},
		{Line: 2, Msg: "no file"},
	}}
	eq(t, "Error", e.Error(), "a.yaml: whole file\n2: no file\na.yaml:3: x")
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func eqs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}
