package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
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
		Cache: Cache{
			Memory:          256 << 20,
			MaxMemoryObject: 8 << 20,
			TagHeaders:      []string{"Cache-Tag", "Surrogate-Key"},
			CollapseTimeout: Duration(5 * time.Second),
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
			DefaultBehavior: Behavior{Origin: "app", AllowedMethods: []string{"GET", "HEAD"}, Cache: defaultPolicy(), ViewerProtocol: ViewerAllowAll, RedirectCode: 301},
		}},
		File: cfg.File,
		root: cfg.root, // the file's node tree, kept for Problem
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
	eq(t, "Error", e.Error(), "2: no file\na.yaml: whole file\na.yaml:3: x") // by file, then line
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

// defaultPolicy is the cache policy of a behavior without a cache block.
func defaultPolicy() *CachePolicy {
	on := true
	return &CachePolicy{
		DefaultTTL:   Duration(24 * time.Hour),
		MaxTTL:       Duration(8760 * time.Hour),
		QueryStrings: KeyValues{Mode: KeyAll},
		Cookies:      KeyValues{Mode: KeyNone},
		Compress:     &on,
		ErrorTTL:     Duration(10 * time.Second),
	}
}

// withCache returns minimal with cache (a YAML flow value) as the default
// behavior's cache policy.
func withCache(cache string) string {
	return minimal + "      cache: " + cache + "\n"
}

func TestCachePolicyDefaults(t *testing.T) {
	h := time.Hour
	cases := []struct {
		name  string
		cache string // "" leaves the cache block out
		want  func(p *CachePolicy)
	}{
		{"no cache block", "", func(*CachePolicy) {}},
		{"null", "null", func(*CachePolicy) {}},
		{"empty mapping", "{}", func(*CachePolicy) {}},
		{"disabled keeps the defaults", "disabled", func(p *CachePolicy) { p.Disabled = true }},
		{"quoted disabled", `"disabled"`, func(p *CachePolicy) { p.Disabled = true }},
		{"min_ttl over a day: default_ttl follows", "{min_ttl: 48h}", func(p *CachePolicy) {
			p.MinTTL, p.DefaultTTL = Duration(48*h), Duration(48*h)
		}},
		{"min_ttl under a day", "{min_ttl: 1h}", func(p *CachePolicy) { p.MinTTL = Duration(h) }},
		{"min_ttl over a year: default and max follow", "{min_ttl: 9000h}", func(p *CachePolicy) {
			p.MinTTL, p.DefaultTTL, p.MaxTTL = Duration(9000*h), Duration(9000*h), Duration(9000*h)
		}},
		{"default_ttl over a year: max follows", "{default_ttl: 9000h}", func(p *CachePolicy) {
			p.DefaultTTL, p.MaxTTL = Duration(9000*h), Duration(9000*h)
		}},
		{"max_ttl under a day: default follows", "{max_ttl: 1h}", func(p *CachePolicy) {
			p.DefaultTTL, p.MaxTTL = Duration(h), Duration(h)
		}},
		{"min and max set: default between", "{min_ttl: 30h, max_ttl: 40h}", func(p *CachePolicy) {
			p.MinTTL, p.DefaultTTL, p.MaxTTL = Duration(30*h), Duration(30*h), Duration(40*h)
		}},
		{"explicit zeros are kept", "{min_ttl: 0s, default_ttl: 0s, max_ttl: 0s, error_ttl: 0s}", func(p *CachePolicy) {
			p.DefaultTTL, p.MaxTTL, p.ErrorTTL = 0, 0, 0
		}},
		{"equal TTLs", "{min_ttl: 1h, default_ttl: 1h, max_ttl: 1h}", func(p *CachePolicy) {
			p.MinTTL, p.DefaultTTL, p.MaxTTL = Duration(h), Duration(h), Duration(h)
		}},
		{"100 years is accepted", "{max_ttl: 876000h}", func(p *CachePolicy) { p.MaxTTL = Duration(876000 * h) }},
		{"stale and error TTLs", "{stale_while_revalidate: 30s, stale_if_error: 1h, error_ttl: 1m}", func(p *CachePolicy) {
			p.StaleWhileRevalidate, p.StaleIfError, p.ErrorTTL = Duration(30*time.Second), Duration(h), Duration(time.Minute)
		}},
		{"compress off", "{compress: false}", func(p *CachePolicy) { off := false; p.Compress = &off }},
		{"query strings none, cookies all", "{query_strings: none, cookies: all}", func(p *CachePolicy) {
			p.QueryStrings, p.Cookies = KeyValues{Mode: KeyNone}, KeyValues{Mode: KeyAll}
		}},
		{"allowlists", "{query_strings: [page, Page, utm_source], cookies: [session-id]}", func(p *CachePolicy) {
			p.QueryStrings = KeyValues{Mode: KeyAllow, Names: []string{"page", "Page", "utm_source"}}
			p.Cookies = KeyValues{Mode: KeyAllow, Names: []string{"session-id"}}
		}},
		{"except lists", "{query_strings: {except: [utm_source, fbclid]}, cookies: {except: [_ga]}}", func(p *CachePolicy) {
			p.QueryStrings = KeyValues{Mode: KeyExcept, Names: []string{"utm_source", "fbclid"}}
			p.Cookies = KeyValues{Mode: KeyExcept, Names: []string{"_ga"}}
		}},
		{"empty allowlist is none, empty except is all", "{query_strings: [], cookies: {except: []}}", func(p *CachePolicy) {
			p.QueryStrings, p.Cookies = KeyValues{Mode: KeyNone}, KeyValues{Mode: KeyAll}
		}},
		{"headers are canonicalized", "{headers: [accept-language, AUTHORIZATION, host, cloudfront-viewer-country, X.Dotted]}", func(p *CachePolicy) {
			p.Headers = []string{"Accept-Language", "Authorization", "Host", "Cloudfront-Viewer-Country", "X.dotted"}
		}},
		{"ten names each, 1024 characters together", "{query_strings: [" + names("q", 10, 100) + "], cookies: [" + names("c", 1, 24) + "]}", func(p *CachePolicy) {
			p.QueryStrings = KeyValues{Mode: KeyAllow, Names: strings.Split(names("q", 10, 100), ", ")}
			p.Cookies = KeyValues{Mode: KeyAllow, Names: []string{names("c", 1, 24)}}
		}},
		{"merge keys", "{<<: {min_ttl: 48h, query_strings: none}, max_ttl: 72h}", func(p *CachePolicy) {
			p.MinTTL, p.DefaultTTL, p.MaxTTL = Duration(48*h), Duration(48*h), Duration(72*h)
			p.QueryStrings = KeyValues{Mode: KeyNone}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			config := minimal
			if tc.cache != "" {
				config = withCache(tc.cache)
			}
			cfg := mustLoad(t, writeConfig(t, config, nil))
			want := defaultPolicy()
			tc.want(want)
			eq(t, "cache", cfg.Distributions[0].DefaultBehavior.Cache, want)
		})
	}
}

// names returns n distinct names, each length characters long and starting
// with prefix, separated by ", ".
func names(prefix string, n, length int) string {
	list := make([]string, n)
	for i := range list {
		name := prefix + strconv.Itoa(i)
		list[i] = name + strings.Repeat("x", length-len(name))
	}
	return strings.Join(list, ", ")
}

func TestCachePolicyEveryBehavior(t *testing.T) {
	cfg := mustLoad(t, writeConfig(t, `
distributions:
  - name: one
    hosts: [one.example.test]
    origins: [{id: app, url: "http://127.0.0.1:9000"}]
    default_behavior: &def
      origin: app
      cache: &policy {min_ttl: 48h, headers: [accept-language]}
    behaviors:
      - {path: /a/*, origin: app}
      - {path: /b/*, origin: app, cache: disabled}
      - {path: /c/*, origin: app, cache: *policy}
  - name: two
    hosts: [two.example.test]
    origins: [{id: app, url: "http://127.0.0.1:9000"}]
    default_behavior: *def
`, nil))
	one := cfg.Distributions[0]
	all := []*CachePolicy{one.DefaultBehavior.Cache, one.Behaviors[0].Cache, one.Behaviors[1].Cache, one.Behaviors[2].Cache, cfg.Distributions[1].DefaultBehavior.Cache}
	for i, p := range all {
		if p == nil {
			t.Fatalf("behavior %d has no cache policy", i)
		}
		for j := range i {
			if all[j] == p {
				t.Errorf("behaviors %d and %d share one *CachePolicy", j, i)
			}
		}
	}
	eq(t, "default", all[0].DefaultTTL.Std(), 48*time.Hour)
	eqs(t, "headers", all[0].Headers, []string{"Accept-Language"})
	eq(t, "no block", all[1], defaultPolicy())
	eq(t, "disabled", all[2].Disabled, true)
	eq(t, "alias", all[3], all[0])
	eq(t, "aliased behavior", all[4], all[0])
}

func TestCacheDefaults(t *testing.T) {
	cases := []struct {
		name  string
		cache string // the top-level cache block, in flow style
		files map[string]string
		want  func(c *Cache, dir string)
	}{
		{"memory sets max_memory_object's default", "{memory: 16MiB}", nil, func(c *Cache, _ string) {
			c.Memory, c.MaxMemoryObject = 16<<20, 4<<20
		}},
		{"large memory keeps 8MiB", "{memory: 4GiB, max_memory_object: 1GiB}", nil, func(c *Cache, _ string) {
			c.Memory, c.MaxMemoryObject = 4<<30, 1<<30
		}},
		{"disk only", "{memory: 0, disk: {path: cache, size: 1GiB}}", nil, func(c *Cache, dir string) {
			c.Memory, c.MaxMemoryObject = 0, 0
			c.Disk = &DiskCache{Path: filepath.Join(dir, "cache"), Size: 1 << 30, MaxObject: 1 << 30}
		}},
		{"disk max_object defaults to 50GB", "{disk: {path: ./var/../cache/, size: 1000GB}}", map[string]string{"cache/": ""}, func(c *Cache, dir string) {
			c.Disk = &DiskCache{Path: filepath.Join(dir, "cache"), Size: 1e12, MaxObject: 50e9}
		}},
		{"absolute disk path, explicit max_object", `{disk: {path: "ABS/cache", size: 64MiB, max_object: 1MiB}}`, nil, func(c *Cache, dir string) {
			c.Disk = &DiskCache{Path: filepath.Join(dir, "cache"), Size: 64 << 20, MaxObject: 1 << 20}
		}},
		{"tag headers are canonicalized", "{tag_headers: [x-cache-tags, EDGE-TAG]}", nil, func(c *Cache, _ string) {
			c.TagHeaders = []string{"X-Cache-Tags", "Edge-Tag"}
		}},
		{"no tag headers", "{tag_headers: []}", nil, func(c *Cache, _ string) { c.TagHeaders = []string{} }},
		{"collapsing off", "{collapse_timeout: 0s}", nil, func(c *Cache, _ string) { c.CollapseTimeout = 0 }},
		{"collapse_timeout at its bound", "{collapse_timeout: 1m}", nil, func(c *Cache, _ string) { c.CollapseTimeout = Duration(time.Minute) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, "", tc.files)
			dir := filepath.Dir(path)
			config := "cache: " + strings.ReplaceAll(tc.cache, "ABS", dir) + "\n" + minimal
			if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := mustLoad(t, path)
			want := Cache{
				Memory: 256 << 20, MaxMemoryObject: 8 << 20,
				TagHeaders: []string{"Cache-Tag", "Surrogate-Key"}, CollapseTimeout: Duration(5 * time.Second),
			}
			tc.want(&want, dir)
			eq(t, "cache", cfg.Cache, want)
		})
	}
}

func TestKeyModeString(t *testing.T) {
	for m, want := range map[KeyMode]string{KeyNone: "none", KeyAll: "all", KeyAllow: "allowlist", KeyExcept: "except", 9: "KeyMode(9)"} {
		eq(t, "mode", m.String(), want)
	}
}

// TestEveryCacheForm loads FuzzParse's cache seed, which must be valid.
func TestEveryCacheForm(t *testing.T) {
	path := writeConfig(t, everyCacheForm, nil)
	cfg := mustLoad(t, path)
	checkCache(t, &cfg.Cache)
	eq(t, "disk", *cfg.Cache.Disk, DiskCache{Path: filepath.Join(filepath.Dir(path), "cache-dir"), Size: 10 << 30, MaxObject: 1 << 30})
	eqs(t, "tag_headers", cfg.Cache.TagHeaders, []string{"X-Cache-Tags", "Surrogate-Key"})
	d := cfg.Distributions[0]
	base := d.DefaultBehavior.Cache
	checkCachePolicy(t, "default", base)
	eqs(t, "headers", base.Headers, []string{"Accept-Language", "Authorization", "Host"})
	eq(t, "cookies", base.Cookies, KeyValues{Mode: KeyExcept, Names: []string{"_ga", "_gid"}})
	modes := map[string][2]KeyMode{
		"/none/*": {KeyNone, KeyNone}, "/all/*": {KeyAll, KeyAll}, "/empty/*": {KeyNone, KeyAll},
		"/off/*": {KeyAll, KeyNone}, "/min/*": {KeyAll, KeyNone}, "/shared/*": {KeyAllow, KeyExcept},
		"/merged/*": {KeyExcept, KeyExcept}, "/default/*": {KeyAll, KeyNone},
	}
	for _, b := range d.Behaviors {
		checkCachePolicy(t, b.Path, b.Cache)
		got := [2]KeyMode{b.Cache.QueryStrings.Mode, b.Cache.Cookies.Mode}
		if got != modes[b.Path] {
			t.Errorf("%s: modes %v, want %v", b.Path, got, modes[b.Path])
		}
	}
	eq(t, "disabled", d.Behaviors[3].Cache.Disabled, true)
	eq(t, "merged ttl", d.Behaviors[6].Cache.MaxTTL.Std(), 48*time.Hour)
}

// TestWAFPolicyDefaults: a minimal WAF policy gets CRS's defaults; IP
// sets and rule files are read; two behaviors share one loaded file.
func TestWAFPolicyDefaults(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ips.txt"), []byte("# bad\n203.0.113.0/24\n198.51.100.7 # one\n\n::ffff:192.0.2.1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "site.conf"), []byte("SecRule ARGS \"@rx x\" \"id:100001,phase:1,deny\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "waf.yaml"), []byte("kind: waf\nrules: [site.conf]\nip_sets: {deny: [ips.txt, 10.0.0.0/8], allow: [192.0.2.0/24]}\nrate_limits: [{name: login, limit: 5, window: 1m, path: /login*, methods: [post]}]\n"), 0o644)
	path := writeConfig(t, `distributions:
  - name: d
    hosts: [d.test]
    origins: [{id: o, url: "http://127.0.0.1:9000"}]
    waf_policy: waf.yaml
    default_behavior: {origin: o}
    behaviors: [{path: /a/*, origin: o}, {path: /b/*, origin: o, waf_policy: none}]
`, nil)
	for _, name := range []string{"ips.txt", "site.conf", "waf.yaml"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		os.WriteFile(filepath.Join(filepath.Dir(path), name), b, 0o644)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Distributions[0]
	w := d.DefaultBehavior.WAF
	if w == nil || d.Behaviors[0].WAF != w || d.Behaviors[1].WAF != nil {
		t.Fatalf("resolved policies: default %p, /a/* %p, /b/* %p", w, d.Behaviors[0].WAF, d.Behaviors[1].WAF)
	}
	if w.Mode != "block" || w.CRS.ParanoiaLevel != 1 || w.CRS.InboundAnomalyThreshold != 5 || w.CRS.OutboundAnomalyThreshold != 4 ||
		w.RequestBodyLimit != 16<<10 || w.RequestBodyOverLimit != "reject" {
		t.Errorf("defaults: %+v", w)
	}
	want := "[203.0.113.0/24 198.51.100.7/32 192.0.2.1/32 10.0.0.0/8]"
	if got := fmt.Sprint(w.IPSets.DenyPrefixes); got != want {
		t.Errorf("deny prefixes %s, want %s", got, want)
	}
	if len(w.RuleFiles) != 1 || !strings.Contains(string(w.RuleFiles[0].Data), "id:100001") || !filepath.IsAbs(w.Rules[0]) {
		t.Errorf("rule files: %+v", w.Rules)
	}
	rl := w.RateLimits[0]
	if rl.Key != "ip" || rl.Action != 429 || rl.Methods[0] != "POST" {
		t.Errorf("rate limit defaults: %+v", rl)
	}
}
