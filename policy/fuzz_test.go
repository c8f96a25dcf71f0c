package policy

import (
	"errors"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// wholeFile are the messages that may carry line 0: they are about the
// file as a whole.
var wholeFile = []string{"the file is empty", "the file has no settings", "the file is too complex", "cannot decode the file: ", "invalid YAML: "}

// FuzzParse checks that Parse never panics, and returns either a config or
// an *Errors whose every problem is placed on a line (0 only for a problem
// with the whole file) and never leaks yaml.v3's raw wording.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(everyCacheForm))
	if b, err := os.ReadFile("../testdata/quickstart/edgeward.yaml"); err == nil {
		f.Add(b)
	}
	for _, file := range goldenInputs(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The golden directory: relative dirs and token files in the seeds
		// resolve as they do in TestGolden.
		cfg, err := Parse(goldenDir+"/fuzz.yaml", data)
		if err == nil {
			if cfg == nil {
				t.Fatal("no config and no error")
			}
			checkInvariants(t, cfg)
			return
		}
		if cfg != nil {
			t.Fatal("a config along with an error")
		}
		var errs *Errors
		if !errors.As(err, &errs) || len(errs.Problems) == 0 {
			t.Fatalf("error %T without problems: %v", err, err)
		}
		lines := yamlLines(data)
		for _, p := range errs.Problems {
			if p.File != goldenDir+"/fuzz.yaml" {
				continue // a policy file the input references, checked by FuzzGeoPolicy
			}
			if p.Line < 0 || utf8.Valid(data) && p.Line > lines {
				t.Errorf("problem on line %d of a %d-line file: %s", p.Line, lines, p.Msg)
			}
			if p.Line == 0 && !slices.ContainsFunc(wholeFile, func(s string) bool { return strings.HasPrefix(p.Msg, s) }) {
				t.Errorf("problem without a line: %s", p.Msg)
			}
			if p.Msg == "" || strings.Contains(p.Msg, "unmarshal errors") || strings.Contains(p.Msg, "cannot unmarshal") || strings.HasPrefix(p.Msg, "yaml: ") {
				t.Errorf("raw problem message: %q", p.Msg)
			}
		}
	})
}

// everyCacheForm is a valid config using every form of the cache
// settings: the top-level block with a disk tier, and policies that are
// left out, "disabled", and mappings with each form of query_strings and
// cookies, shared through an anchor and a merge.
const everyCacheForm = `
cache:
  memory: 64MiB
  max_memory_object: 4MiB
  disk: {path: cache-dir, size: 10GiB, max_object: 1GiB}
  tag_headers: [x-cache-tags, Surrogate-Key]
  collapse_timeout: 2s
distributions:
  - name: site
    hosts: [www.example.test]
    origins:
      - id: app
        url: http://127.0.0.1:9000
    default_behavior:
      origin: app
      cache: &base
        min_ttl: 1m
        default_ttl: 1h
        max_ttl: 48h
        query_strings: [page, sort]
        cookies: {except: [_ga, _gid]}
        headers: [accept-language, Authorization, Host]
        compress: false
        stale_while_revalidate: 30s
        stale_if_error: 24h
        error_ttl: 0s
    behaviors:
      - {path: /none/*, origin: app, cache: {query_strings: none, cookies: none}}
      - {path: /all/*, origin: app, cache: {query_strings: all, cookies: all}}
      - {path: /empty/*, origin: app, cache: {query_strings: [], cookies: {except: []}}}
      - {path: /off/*, origin: app, cache: disabled}
      - {path: /min/*, origin: app, cache: {min_ttl: 48h}}
      - {path: /shared/*, origin: app, cache: *base}
      - path: /merged/*
        origin: app
        cache:
          <<: *base
          query_strings: {except: [utm_source]}
      - {path: /default/*, origin: app}
`

// yamlLines counts the lines of UTF-8 data as YAML does: "\r\n", "\r", "\n", NEL, LS and
// PS each end one.
func yamlLines(data []byte) int {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return 1 + strings.Count(s, "\n") + strings.Count(s, "\r") +
		strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029")
}

// checkInvariants checks what the gateway relies on in a valid config.
func checkInvariants(t *testing.T, c *Config) {
	t.Helper()
	if c.NodeName == "" || c.Listen.HTTP == "" || c.Listen.Admin == "" || c.AccessLog.Path == "" || c.AccessLog.Format == "" {
		t.Errorf("defaults missing: %+v", c)
	}
	if len(c.Distributions) == 0 {
		t.Error("no distributions")
	}
	checkCache(t, &c.Cache)
	for _, d := range c.Distributions {
		ids := map[string]bool{}
		for _, o := range d.Origins {
			ids[o.ID] = true
			if (o.URL == "") == (o.Dir == "") {
				t.Errorf("origin %q: url %q, dir %q", o.ID, o.URL, o.Dir)
			}
			if o.URL != "" && (o.ConnectionAttempts < 1 || o.ConnectTimeout <= 0 || o.ReadTimeout <= 0 || o.KeepAliveTimeout <= 0) {
				t.Errorf("origin %q: defaults missing: %+v", o.ID, o)
			}
		}
		for _, b := range append([]Behavior{d.DefaultBehavior}, d.Behaviors...) {
			if !ids[b.Origin] {
				t.Errorf("behavior %q: unknown origin %q", b.Path, b.Origin)
			}
			if !slices.Contains(b.AllowedMethods, "GET") || !slices.Contains(b.AllowedMethods, "HEAD") {
				t.Errorf("behavior %q: methods %q", b.Path, b.AllowedMethods)
			}
			checkCachePolicy(t, b.Path, b.Cache)
		}
		for _, h := range d.Hosts {
			if h == "" || h != strings.ToLower(h) {
				t.Errorf("host %q not normalized", h)
			}
		}
	}
}

// checkCache checks the top-level cache block of a valid config.
func checkCache(t *testing.T, c *Cache) {
	t.Helper()
	if c.Memory == 0 && c.Disk == nil || c.Memory != 0 && c.Memory < minCacheMemory {
		t.Errorf("cache: memory %s with disk %+v", c.Memory, c.Disk)
	}
	if c.MaxMemoryObject < 0 || c.MaxMemoryObject > c.Memory/4 || (c.MaxMemoryObject == 0) != (c.Memory == 0) {
		t.Errorf("cache: max_memory_object %s with memory %s", c.MaxMemoryObject, c.Memory)
	}
	if d := c.Disk; d != nil && (!filepath.IsAbs(d.Path) || d.Size < minDiskSize || d.MaxObject <= 0 || d.MaxObject > d.Size) {
		t.Errorf("cache: disk %+v", *d)
	}
	if len(c.TagHeaders) > maxTagHeaders {
		t.Errorf("cache: tag_headers %q", c.TagHeaders)
	}
	for _, h := range c.TagHeaders {
		if h != textproto.CanonicalMIMEHeaderKey(h) || !isToken(h) {
			t.Errorf("cache: tag header %q not canonical", h)
		}
	}
	if c.CollapseTimeout < 0 || c.CollapseTimeout.Std() > maxCollapseTimeout {
		t.Errorf("cache: collapse_timeout %s", c.CollapseTimeout)
	}
}

// checkCachePolicy checks a behavior's cache policy in a valid config:
// present, defaults applied, TTLs in order, names within CloudFront's limits.
func checkCachePolicy(t *testing.T, where string, p *CachePolicy) {
	t.Helper()
	if p == nil {
		t.Errorf("behavior %q: no cache policy", where)
		return
	}
	if p.Compress == nil {
		t.Errorf("behavior %q: compress not defaulted", where)
	}
	if p.MinTTL < 0 || p.MinTTL > p.DefaultTTL || p.DefaultTTL > p.MaxTTL || p.MaxTTL.Std() > maxTTLBound {
		t.Errorf("behavior %q: TTLs %s, %s, %s", where, p.MinTTL, p.DefaultTTL, p.MaxTTL)
	}
	for _, d := range []Duration{p.StaleWhileRevalidate, p.StaleIfError, p.ErrorTTL} {
		if d < 0 || d.Std() > maxTTLBound {
			t.Errorf("behavior %q: duration %s", where, d)
		}
	}
	chars := 0
	for _, kv := range []KeyValues{p.QueryStrings, p.Cookies} {
		named := kv.Mode == KeyAllow || kv.Mode == KeyExcept
		if kv.Mode < KeyNone || kv.Mode > KeyExcept || named != (len(kv.Names) > 0) || len(kv.Names) > maxKeyNames {
			t.Errorf("behavior %q: key values %+v", where, kv)
		}
		for _, n := range kv.Names {
			chars += utf8.RuneCountInString(n)
			if n == "" {
				t.Errorf("behavior %q: empty name in %+v", where, kv)
			}
		}
	}
	if len(p.Headers) > maxKeyNames {
		t.Errorf("behavior %q: headers %q", where, p.Headers)
	}
	for _, h := range p.Headers {
		chars += len(h)
		if h != textproto.CanonicalMIMEHeaderKey(h) || keyHeaderProblem(h) != "" {
			t.Errorf("behavior %q: header %q", where, h)
		}
	}
	if chars > maxKeyChars {
		t.Errorf("behavior %q: names %d characters long", where, chars)
	}
}

// FuzzGeoPolicy checks that ParseGeoPolicy never panics and returns either
// a policy whose invariants hold or problems placed on the file's lines.
func FuzzGeoPolicy(f *testing.F) {
	f.Add([]byte("kind: geo\nallow: [DE, FR]\nunknown: deny\nstatus: 451\npage: /geo.html\n"))
	f.Add([]byte("kind: geo\ndeny: [us, XK]\n"))
	for _, dir := range []string{policyGoldenDir, goldenDir + "/geo"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGeoPolicy("fuzz.yaml", data)
		if err == nil {
			if (len(g.Allow) == 0) == (len(g.Deny) == 0) {
				t.Fatalf("a policy with allow %v and deny %v", g.Allow, g.Deny)
			}
			if !slices.Contains(geoStatuses, g.Status) || (g.Unknown != "allow" && g.Unknown != "deny") {
				t.Fatalf("status %d, unknown %q", g.Status, g.Unknown)
			}
			for _, c := range append(slices.Clone(g.Allow), g.Deny...) {
				if code, msg := countryCode(c); msg != "" || code != c {
					t.Fatalf("listed code %q is not a valid upper-case code", c)
				}
				if g.Admits(c) != (len(g.Allow) > 0) {
					t.Fatalf("Admits(%q) contradicts the list", c)
				}
			}
			return
		}
		var errs *Errors
		if !errors.As(err, &errs) || len(errs.Problems) == 0 {
			t.Fatalf("error %T without problems: %v", err, err)
		}
		lines := yamlLines(data)
		for _, p := range errs.Problems {
			if p.Line < 0 || utf8.Valid(data) && p.Line > lines {
				t.Errorf("problem on line %d of a %d-line file: %s", p.Line, lines, p.Msg)
			}
			if p.Msg == "" || strings.Contains(p.Msg, "cannot unmarshal") {
				t.Errorf("raw message: %q", p.Msg)
			}
		}
	})
}
