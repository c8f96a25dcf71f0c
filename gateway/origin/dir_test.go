package origin

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// mtime is the modification time of every fixture file.
var mtime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// siteTree makes base/outside.txt (a secret next to the root) and the
// root base/site with files, directories and symbolic links of every
// kind, returning the root.
func siteTree(t testing.TB) string {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "site")
	files := map[string]string{
		"outside.txt":             "SECRET outside the root\n",
		"site/index.html":         "<!doctype html><title>home</title>\n",
		"site/a/b.txt":            "0123456789",
		"site/a/deeper/c.css":     "body{}",
		"site/.hidden":            "hidden but served\n",
		"site/picture":            "\x89PNG\r\n\x1a\nrest of a png",
		"site/sub/inner.txt":      "inner",
		"site/with space & ü.txt": "odd name",
	}
	for name, body := range files {
		p := filepath.Join(base, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "emptydir"), 0o755); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"inside-link":        "a/b.txt",                               // relative, inside: followed
		"dir-link":           "a",                                     // directory inside: followed
		"abs-link":           filepath.Join(root, "a", "b.txt"),       // absolute: refused
		"etc-link":           "/etc/passwd",                           // outside: refused
		"etc-dir":            "/etc",                                  // outside directory: refused
		"up-link":            "../outside.txt",                        // escapes: refused
		"chain1":             "chain2",                                // chain leading out: refused
		"chain2":             "a/../../outside.txt",                   //
		"c1":                 "c2",                                    // chain inside: followed
		"c2":                 "a/deeper/../b.txt",                     //
		"loop1":              "loop2",                                 // loop: refused
		"loop2":              "loop1",                                 //
		"sub/up-to-index":    "../index.html",                         // inside the root, outside sub
		"sub/escape-by-dir":  "../../site/../outside.txt",             // escapes
		"a/dangling":         "nowhere",                               // missing target
		"a/self-dir":         ".",                                     // a directory
		"sub/abs-inside":     filepath.Join(root, "sub", "inner.txt"), // absolute, refused
		"sub/rel-inside":     "./inner.txt",                           // relative, followed
		"sub/via-parent":     "../sub/inner.txt",                      // ".." that stays inside: followed
		"sub/to-root-secret": filepath.Join(base, "outside.txt"),      // absolute outside: refused
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(name))); err != nil {
			t.Skipf("cannot make symbolic links here: %v", err)
		}
	}
	return root
}

func newDirOrigin(t testing.TB, dir, path string) *dirOrigin {
	t.Helper()
	o, err := NewDir(policy.Origin{ID: "files", Dir: dir, Path: path})
	if err != nil {
		t.Fatalf("NewDir: %v", err)
	}
	t.Cleanup(o.Close)
	return o.(*dirOrigin)
}

// get fetches path and reads the whole body.
func get(t *testing.T, o Origin, method, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	r := request(t.Context(), method, path, "", nil)
	for k, v := range header {
		r.Header[k] = v
	}
	resp, err := o.Fetch(r)
	if err != nil {
		t.Fatalf("Fetch %s: %v", path, err)
	}
	defer resp.Body.Close()
	var body []byte
	within(t, "reading "+path, func() { body, err = io.ReadAll(resp.Body) })
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return resp, string(body)
}

func TestNewDirRejects(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	tests := []struct {
		name string
		cfg  policy.Origin
		want string
	}{
		{"no id", policy.Origin{Dir: dir}, "origin id is empty"},
		{"no dir", policy.Origin{ID: "f"}, "dir is empty"},
		{"relative", policy.Origin{ID: "f", Dir: "site"}, `dir "site" is not an absolute path`},
		{"url too", policy.Origin{ID: "f", Dir: dir, URL: "http://x"}, "no url"},
		{"headers", policy.Origin{ID: "f", Dir: dir, Headers: map[string]string{"X-A": "1"}}, "headers apply only to url origins"},
		{"host header", policy.Origin{ID: "f", Dir: dir, HostHeader: "x"}, "host_header applies only to url origins"},
		{"missing", policy.Origin{ID: "f", Dir: filepath.Join(dir, "missing")}, "no such file"},
		{"not a directory", policy.Origin{ID: "f", Dir: file}, "not a directory"},
		{"bad path", policy.Origin{ID: "f", Dir: dir, Path: "/../x"}, `".." segment`},
		{"missing path", policy.Origin{ID: "f", Dir: dir, Path: "/missing"}, `path "/missing" in dir`},
		{"path is a file", policy.Origin{ID: "f", Dir: dir, Path: "/file"}, "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := NewDir(tt.cfg)
			if err == nil {
				o.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestDirServesAndConfines(t *testing.T) {
	root := siteTree(t)
	o := newDirOrigin(t, root, "")
	tests := []struct {
		path   string
		status int
		body   string // "" = the status's short text
		ctype  string
	}{
		{"/index.html", 200, "<!doctype html><title>home</title>\n", "text/html; charset=utf-8"},
		{"/a/b.txt", 200, "0123456789", "text/plain; charset=utf-8"},
		{"/a/deeper/c.css", 200, "body{}", "text/css; charset=utf-8"},
		{"/.hidden", 200, "hidden but served\n", ""},
		{"/picture", 200, "\x89PNG\r\n\x1a\nrest of a png", "image/png"},
		{"/with space & ü.txt", 200, "odd name", "text/plain; charset=utf-8"},
		{"/inside-link", 200, "0123456789", ""},
		{"/dir-link/b.txt", 200, "0123456789", ""},
		{"/c1", 200, "0123456789", ""},
		{"/sub/up-to-index", 200, "<!doctype html><title>home</title>\n", ""},
		{"/sub/rel-inside", 200, "inner", ""},
		{"/sub/via-parent", 200, "inner", ""},
		{"/a/self-dir/b.txt", 200, "0123456789", ""},

		// No listings, no index files: the gateway maps "/" to the
		// default root object.
		{"/", 404, "", ""},
		{"/a", 404, "", ""},
		{"/a/", 404, "", ""},
		{"/emptydir", 404, "", ""},
		{"/dir-link", 404, "", ""},
		{"/missing", 404, "", ""},
		{"/a/b.txt/more", 404, "", ""},
		{"/a/dangling", 404, "", ""},

		// Keys are canonical; nothing is cleaned.
		{"/../outside.txt", 404, "", ""},
		{"/a/../index.html", 404, "", ""},
		{"/a/..", 404, "", ""},
		{"/./index.html", 404, "", ""},
		{"//index.html", 404, "", ""},
		{"/a//b.txt", 404, "", ""},
		{"/index.html/", 404, "", ""},
		{"index.html", 404, "", ""},
		{"", 404, "", ""},
		{"/" + root + "/index.html", 404, "", ""},
		{"/index.html\x00", 404, "", ""},
		{"/%2e%2e/outside.txt", 404, "", ""},

		// Nothing outside the root, however the link is made.
		{"/abs-link", 404, "", ""},
		{"/etc-link", 404, "", ""},
		{"/etc-dir/passwd", 404, "", ""},
		{"/up-link", 404, "", ""},
		{"/chain1", 404, "", ""},
		{"/loop1", 404, "", ""},
		{"/sub/escape-by-dir", 404, "", ""},
		{"/sub/abs-inside", 404, "", ""},
		{"/sub/to-root-secret", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.path, "/", "|"), func(t *testing.T) {
			resp, body := get(t, o, "GET", tt.path, nil)
			want := tt.body
			if want == "" {
				want = itoa64(int64(tt.status)) + " " + http.StatusText(tt.status) + "\n"
			}
			if resp.StatusCode != tt.status || body != want {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, want)
			}
			if strings.Contains(body, "SECRET") || strings.Contains(body, "root:") {
				t.Fatalf("served something from outside the root: %q", body)
			}
			if tt.ctype != "" && resp.Header.Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tt.ctype)
			}
			if resp.ContentLength != int64(len(want)) || resp.Header.Get("Content-Length") != itoa64(int64(len(want))) {
				t.Errorf("ContentLength %d, header %q, want %d", resp.ContentLength, resp.Header.Get("Content-Length"), len(want))
			}
			if tt.status == 200 && resp.Header.Get("Last-Modified") != mtime.Format(http.TimeFormat) {
				t.Errorf("Last-Modified %q", resp.Header.Get("Last-Modified"))
			}
		})
	}
}

func TestDirPathIsTheRoot(t *testing.T) {
	root := siteTree(t)
	o := newDirOrigin(t, root, "/sub")
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/inner.txt", 200},
		{"/rel-inside", 200},
		{"/via-parent", 404}, // "../sub/inner.txt" leaves the sub-root on the way
		{"/up-to-index", 404},
		{"/../index.html", 404},
		{"/sub/inner.txt", 404},
	} {
		resp, _ := get(t, o, "GET", tt.path, nil)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
	}
}

func TestDirMethods(t *testing.T) {
	o := newDirOrigin(t, siteTree(t), "")
	for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS", "PATCH"} {
		resp, body := get(t, o, m, "/index.html", nil)
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" || body != "405 Method Not Allowed\n" {
			t.Errorf("%s: %d Allow %q body %q", m, resp.StatusCode, resp.Header.Get("Allow"), body)
		}
	}

	resp, body := get(t, o, "HEAD", "/a/b.txt", nil)
	if resp.StatusCode != 200 || body != "" || resp.Body != http.NoBody || resp.ContentLength != 10 ||
		resp.Header.Get("Content-Length") != "10" || resp.Header.Get("Etag") == "" {
		t.Errorf("HEAD: %d body %q length %d header %v", resp.StatusCode, body, resp.ContentLength, resp.Header)
	}
	resp, body = get(t, o, "HEAD", "/missing", nil)
	if resp.StatusCode != 404 || body != "" || resp.Body != http.NoBody {
		t.Errorf("HEAD of a missing file: %d %q", resp.StatusCode, body)
	}
}

func TestDirRangesAndConditionals(t *testing.T) {
	o := newDirOrigin(t, siteTree(t), "")
	etag := `"` + strconv.FormatInt(mtime.Unix(), 16) + "-a" + `"` // size 10
	lastMod := mtime.Format(http.TimeFormat)
	tests := []struct {
		name    string
		header  http.Header
		status  int
		body    string
		headers map[string]string
	}{
		{"etag", nil, 200, "0123456789", map[string]string{"Etag": etag, "Accept-Ranges": "bytes", "Last-Modified": lastMod}},
		{"range", http.Header{"Range": {"bytes=2-5"}}, 206, "2345",
			map[string]string{"Content-Range": "bytes 2-5/10", "Content-Length": "4"}},
		{"suffix range", http.Header{"Range": {"bytes=-3"}}, 206, "789", map[string]string{"Content-Range": "bytes 7-9/10"}},
		{"open range", http.Header{"Range": {"bytes=8-"}}, 206, "89", nil},
		{"unsatisfiable", http.Header{"Range": {"bytes=20-30"}}, 416, "", map[string]string{"Content-Range": "bytes */10"}},
		{"if-range matches", http.Header{"Range": {"bytes=0-1"}, "If-Range": {etag}}, 206, "01", nil},
		{"if-range stale", http.Header{"Range": {"bytes=0-1"}, "If-Range": {`"other"`}}, 200, "0123456789", nil},
		{"if-range date", http.Header{"Range": {"bytes=0-1"}, "If-Range": {lastMod}}, 206, "01", nil},
		{"if-none-match", http.Header{"If-None-Match": {etag}}, 304, "", map[string]string{"Etag": etag, "Content-Length": ""}},
		{"if-none-match list", http.Header{"If-None-Match": {`"x", ` + etag}}, 304, "", nil},
		{"if-none-match other", http.Header{"If-None-Match": {`"x"`}}, 200, "0123456789", nil},
		{"if-modified-since", http.Header{"If-Modified-Since": {lastMod}}, 304, "", nil},
		{"if-modified-since older", http.Header{"If-Modified-Since": {mtime.Add(-time.Hour).Format(http.TimeFormat)}}, 200, "0123456789", nil},
		{"if-match fails", http.Header{"If-Match": {`"x"`}}, 412, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, o, "GET", "/a/b.txt", tt.header)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d (body %q)", resp.StatusCode, tt.status, body)
			}
			if tt.body != "" && body != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if tt.status == 304 && (body != "" || resp.ContentLength != 0 || resp.Body != http.NoBody) {
				t.Errorf("304 with body %q length %d", body, resp.ContentLength)
			}
			for k, v := range tt.headers {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestDirMultipleRanges(t *testing.T) {
	o := newDirOrigin(t, siteTree(t), "")
	resp, body := get(t, o, "GET", "/a/b.txt", http.Header{"Range": {"bytes=0-1,8-9"}})
	if resp.StatusCode != 206 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "multipart/byteranges; boundary=") ||
		!strings.Contains(body, "Content-Range: bytes 0-1/10\r\n") || !strings.Contains(body, "\r\n\r\n01\r\n--") ||
		!strings.Contains(body, "Content-Range: bytes 8-9/10\r\n") || !strings.Contains(body, "\r\n\r\n89\r\n--") {
		t.Errorf("%d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

func TestDirErrors(t *testing.T) {
	root := siteTree(t)
	t.Run("unreadable file is 403", func(t *testing.T) {
		if os.Geteuid() == 0 || runtime.GOOS == "windows" {
			t.Skip("file permissions do not bind this user")
		}
		p := filepath.Join(root, "private.txt")
		os.WriteFile(p, []byte("private"), 0o000)
		o := newDirOrigin(t, root, "")
		resp, body := get(t, o, "GET", "/private.txt", nil)
		if resp.StatusCode != 403 || body != "403 Forbidden\n" {
			t.Errorf("%d %q", resp.StatusCode, body)
		}
	})
	t.Run("classification", func(t *testing.T) {
		o := newDirOrigin(t, root, "")
		req := request(t.Context(), "GET", "/x", "", nil)
		for _, tt := range []struct {
			err    error
			status int
			kind   Kind
		}{
			{&fs.PathError{Op: "openat", Path: "x", Err: fs.ErrPermission}, 403, 0},
			{&fs.PathError{Op: "openat", Path: "x", Err: fs.ErrNotExist}, 404, 0},
			{&fs.PathError{Op: "openat", Path: "x", Err: errors.New("path escapes from parent")}, 404, 0},
			{&fs.PathError{Op: "openat", Path: "x", Err: syscall.EMFILE}, 0, KindUnreachable},
			{&fs.PathError{Op: "openat", Path: "x", Err: os.ErrClosed}, 0, KindUnreachable},
		} {
			resp, err := o.openFailed(req, tt.err)
			if tt.status != 0 {
				if err != nil || resp.StatusCode != tt.status {
					t.Errorf("%v: %v %v, want %d", tt.err, resp, err, tt.status)
				}
				continue
			}
			wantError(t, err, tt.kind, "origin files: ")
		}
	})
	t.Run("closed origin", func(t *testing.T) {
		o, err := NewDir(policy.Origin{ID: "files", Dir: root})
		if err != nil {
			t.Fatal(err)
		}
		o.Close()
		_, err = o.Fetch(request(t.Context(), "GET", "/index.html", "", nil))
		wantError(t, err, KindUnreachable, "origin files: "+root+" /index.html")
	})
	t.Run("canceled before", func(t *testing.T) {
		o := newDirOrigin(t, root, "")
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := o.Fetch(request(ctx, "GET", "/index.html", "", nil))
		wantError(t, err, KindCanceled, "origin files: request canceled")
	})
}

// bigFile makes a sparse file of size bytes in a new root.
func bigFile(t testing.TB, size int64) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "big.bin"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(root, "big.bin"), size); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestDirCanceledMidBody(t *testing.T) {
	o := newDirOrigin(t, bigFile(t, 64<<20), "")
	ctx, cancel := context.WithCancel(t.Context())
	resp, err := o.Fetch(request(ctx, "GET", "/big.bin", "", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadFull(resp.Body, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	cancel()
	within(t, "read after cancel", func() { _, err = io.Copy(io.Discard, resp.Body) })
	wantError(t, err, KindCanceled, "origin files: request canceled")
}

// TestDirEarlyCloseReleases checks that closing bodies early (or the
// viewer leaving) ends the serving goroutines and closes the files.
func TestDirEarlyCloseReleases(t *testing.T) {
	o := newDirOrigin(t, bigFile(t, 64<<20), "")
	goroutines, fds := runtime.NumGoroutine(), openFiles()
	for i := range 20 {
		ctx, cancel := context.WithCancel(t.Context())
		resp, err := o.Fetch(request(ctx, "GET", "/big.bin", "", nil))
		if err != nil {
			t.Fatal(err)
		}
		io.ReadFull(resp.Body, make([]byte, 100_000))
		if i%2 == 0 {
			resp.Body.Close()
		} else {
			cancel() // the viewer leaves; the gateway closes the body later
		}
		cancel()
		resp.Body.Close()
	}
	deadline := time.Now().Add(liveness)
	for {
		g, f := runtime.NumGoroutine(), openFiles()
		if g <= goroutines && f <= fds {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %d goroutines (was %d), %d open files (was %d)", liveness, g, goroutines, f, fds)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// openFiles counts this process's open file descriptors (0 where /proc
// does not tell).
func openFiles() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}

// TestDirStreamsLargeFile reads a 1 GiB sparse file through the origin and
// checks that it went through in constant memory.
func TestDirStreamsLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1 GiB")
	}
	const size = 1 << 30
	o := newDirOrigin(t, bigFile(t, size), "")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := o.Fetch(request(t.Context(), "GET", "/big.bin", "", nil))
	if err != nil {
		t.Fatal(err)
	}
	if resp.ContentLength != size {
		t.Errorf("ContentLength %d", resp.ContentLength)
	}
	buf := make([]byte, 256<<10)
	var n int64
	for {
		m, err := resp.Body.Read(buf)
		n += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", n, err)
		}
	}
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if n != size {
		t.Errorf("read %d bytes, want %d", n, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("streaming 1 GiB allocated %d bytes", alloc)
	}
}
