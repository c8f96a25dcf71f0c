package origin

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzFileName checks that a request path maps to a local name or to
// nothing: never to a name with a ".." element or an absolute one.
func FuzzFileName(f *testing.F) {
	for _, s := range []string{"/index.html", "/a/b.txt", "/", "", "/../x", "/a/../b", "//x", "/a//b",
		"/./x", "/x/", "/x\x00", "/with space & ü.txt", `/a\..\b`, "/c:/x", "/.hidden", "/..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		name, ok := fileName(p)
		if !ok {
			return
		}
		if !filepath.IsLocal(name) || name == "." {
			t.Fatalf("%q maps to %q, which is not local", p, name)
		}
		for _, seg := range strings.Split(filepath.ToSlash(name), "/") {
			if seg == ".." || seg == "." || seg == "" {
				t.Fatalf("%q maps to %q, with segment %q", p, name, seg)
			}
		}
		if "/"+filepath.ToSlash(name) != p {
			t.Fatalf("%q maps to %q, another key", p, name)
		}
	})
}

// FuzzDirFetch asks a directory origin for arbitrary paths and checks
// that nothing from outside its root is ever served.
func FuzzDirFetch(f *testing.F) {
	for _, s := range []string{"/index.html", "/up-link", "/chain1", "/etc-link", "/etc-dir/passwd", "/../outside.txt",
		"/sub/escape-by-dir", "/a/../../outside.txt", "/c1", "/dir-link/b.txt"} {
		f.Add(s)
	}
	root := siteTree(f)
	o, err := NewDir(policyDir(root))
	if err != nil {
		f.Fatal(err)
	}
	defer o.Close()
	passwd, _ := os.ReadFile("/etc/passwd")
	f.Fuzz(func(t *testing.T, p string) {
		r, _ := http.NewRequestWithContext(t.Context(), "GET", "/", nil)
		r.URL = &url.URL{Path: p}
		resp, err := o.Fetch(r)
		if err != nil {
			t.Fatalf("Fetch %q: %v", p, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "SECRET") || len(passwd) > 0 && string(body) == string(passwd) {
			t.Fatalf("%q served a file from outside the root", p)
		}
	})
}

// FuzzOutgoingURL checks that the request line sent to an origin decodes
// to the origin path followed by the request path, whatever the path and
// its raw form.
func FuzzOutgoingURL(f *testing.F) {
	for _, s := range [][2]string{{"/a/b", ""}, {"/a/b/c", "/a/b%2Fc"}, {"/x y", "/x%20y"}, {"/ü", ""},
		{"/a", "/b"}, {"/%", "/%25"}, {"/a?b", "/a%3Fb"}, {"/a#b", ""}} {
		f.Add(s[0], s[1])
	}
	o, err := NewHTTP(policyURL("http://127.0.0.1:1", "/my base/ü"))
	if err != nil {
		f.Fatal(err)
	}
	defer o.Close()
	ho := o.(*httpOrigin)
	f.Fuzz(func(t *testing.T, p, raw string) {
		r, _ := http.NewRequestWithContext(t.Context(), "GET", "/", nil)
		r.URL = &url.URL{Path: p, RawPath: raw}
		if checkRequestPath(r) != nil {
			return
		}
		out := ho.outgoing(r, t.Context())
		target := out.URL.RequestURI()
		if !strings.HasPrefix(target, ho.rawPrefix) {
			t.Fatalf("request target %q lacks the prefix %q", target, ho.rawPrefix)
		}
		back, err := url.ParseRequestURI(target)
		if err != nil {
			t.Fatalf("request target %q does not parse: %v", target, err)
		}
		if want := ho.prefix + p; back.Path != want && !(p == "" && back.Path == ho.prefix) {
			t.Fatalf("path %q raw %q: the origin would see %q, want %q", p, raw, back.Path, want)
		}
	})
}
