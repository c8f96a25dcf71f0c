package origin

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/edgeward/edgeward/policy"
)

// dirOrigin serves regular files from a directory tree held open as an
// os.Root: no request path can reach outside it.
type dirOrigin struct {
	id   string
	dir  string // for messages
	root *os.Root
}

var _ Origin = (*dirOrigin)(nil)

// NewDir returns an origin that serves the files under cfg.Dir, an
// absolute path to a directory; cfg.Path, if set, names a sub-directory
// of it that becomes the root instead. The directory is opened now and
// stays open (renaming it does not change what is served) until Close.
func NewDir(cfg policy.Origin) (Origin, error) {
	var errs []error
	if cfg.ID == "" {
		errs = append(errs, errors.New("origin id is empty"))
	}
	if cfg.URL != "" {
		errs = append(errs, errors.New("a dir origin has no url"))
	}
	if len(cfg.Headers) > 0 {
		errs = append(errs, errors.New("headers apply only to url origins"))
	}
	if cfg.HostHeader != "" {
		errs = append(errs, errors.New("host_header applies only to url origins"))
	}
	if cfg.Dir == "" {
		errs = append(errs, errors.New("dir is empty"))
	} else if !filepath.IsAbs(cfg.Dir) {
		errs = append(errs, fmt.Errorf("dir %q is not an absolute path", cfg.Dir))
	}
	prefix, err := cleanPrefix(cfg.Path)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	root, err := os.OpenRoot(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("dir: %w", err)
	}
	dir := cfg.Dir
	if prefix != "" {
		sub, err := root.OpenRoot(filepath.FromSlash(prefix[1:]))
		root.Close()
		if err != nil {
			return nil, fmt.Errorf("path %q in dir %s: %w", prefix, cfg.Dir, err)
		}
		root, dir = sub, filepath.Join(cfg.Dir, filepath.FromSlash(prefix[1:]))
	}
	return &dirOrigin{id: cfg.ID, dir: dir, root: root}, nil
}

func (d *dirOrigin) ID() string { return d.id }

// Close closes the root; files already open keep streaming.
func (d *dirOrigin) Close() { d.root.Close() }

// Fetch serves the file named by req.URL.Path. Missing files, directories
// and anything that is not a regular file are 404 responses, unreadable
// files 403, methods other than GET and HEAD 405; the error is reserved
// for the viewer going away and for failures of the host (out of file
// descriptors, I/O errors).
func (d *dirOrigin) Fetch(req *http.Request) (*http.Response, error) {
	if e := canceled(d.id, req.Context()); e != nil {
		return nil, e
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead:
	default:
		return textResponse(req, http.StatusMethodNotAllowed, "Allow", "GET, HEAD"), nil
	}
	if req.URL == nil {
		return textResponse(req, http.StatusNotFound), nil
	}
	name, ok := fileName(req.URL.Path)
	if !ok {
		return textResponse(req, http.StatusNotFound), nil
	}
	// Stat before opening: opening a FIFO would block and opening a
	// device may have side effects.
	if fi, err := d.root.Stat(name); err != nil {
		return d.openFailed(req, err)
	} else if !fi.Mode().IsRegular() {
		return textResponse(req, http.StatusNotFound), nil
	}
	f, err := d.root.Open(name)
	if err != nil {
		return d.openFailed(req, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return d.openFailed(req, err)
	}
	if !fi.Mode().IsRegular() { // replaced since the Stat above
		f.Close()
		return textResponse(req, http.StatusNotFound), nil
	}

	resp, err := ServeHandler(&fileHandler{f: f, fi: fi, name: path.Base(req.URL.Path)}, req)
	if err != nil {
		if e := canceled(d.id, req.Context()); e != nil {
			return nil, e
		}
		return nil, &Error{Origin: d.id, Kind: KindBadResponse, Err: fmt.Errorf("serving %s: %w", req.URL.Path, err)}
	}
	if resp.Body != http.NoBody {
		resp.Body = &dirBody{rc: resp.Body, d: d, req: req}
	}
	return resp, nil
}

// fileName maps a request path to a name inside the root: "/a/b.txt" is
// "a/b.txt" (in the OS's form). The path must be canonical, an object key
// as S3 would see it: empty, "." and ".." segments, a trailing slash (a
// directory), and names the OS cannot represent locally are refused rather
// than cleaned, so one file is never reachable under two keys.
func fileName(p string) (string, bool) {
	name, ok := strings.CutPrefix(p, "/")
	if !ok || name == "" || !fs.ValidPath(name) || name == "." {
		return "", false
	}
	local, err := filepath.Localize(name)
	if err != nil {
		return "", false
	}
	return local, true
}

// openFailed answers a failure to find or open a file: 403 when access is
// denied, an error when the host is in trouble, else 404 (not found, not a
// directory, symlink loops, paths escaping the root, names too long).
func (d *dirOrigin) openFailed(req *http.Request, err error) (*http.Response, error) {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return textResponse(req, http.StatusForbidden), nil
	case errors.Is(err, os.ErrClosed), isHostTrouble(err):
		return nil, &Error{Origin: d.id, Kind: KindUnreachable, Err: fmt.Errorf("%s %s: %w", d.dir, req.URL.Path, err)}
	default:
		return textResponse(req, http.StatusNotFound), nil
	}
}

// isHostTrouble reports errors that say nothing about the file asked for
// but about the machine: they must not become a (cacheable) 404.
func isHostTrouble(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.EIO, syscall.ENOMEM, syscall.EAGAIN, syscall.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// fileHandler serves one open file with http.ServeContent, which handles
// Range, If-Range, If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since, HEAD, Content-Type (by extension, then sniffing)
// and Last-Modified. It closes the file when done.
type fileHandler struct {
	f    *os.File
	fi   fs.FileInfo
	name string // for the Content-Type by extension
}

func (h *fileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer h.f.Close()
	w.Header()["Etag"] = []string{etag(h.fi)}
	http.ServeContent(w, r, h.name, h.fi.ModTime(), h.f)
}

// etag is a strong validator made like nginx's: modification time in
// seconds and size, both in hex.
func etag(fi fs.FileInfo) string {
	return `"` + strconv.FormatInt(fi.ModTime().Unix(), 16) + "-" + strconv.FormatInt(fi.Size(), 16) + `"`
}

// textResponse is a short text/plain response made by the origin itself,
// with extra header name/value pairs.
func textResponse(req *http.Request, code int, kv ...string) *http.Response {
	body := strconv.Itoa(code) + " " + http.StatusText(code) + "\n"
	h := http.Header{
		"Content-Type":           {"text/plain; charset=utf-8"},
		"Content-Length":         {strconv.Itoa(len(body))},
		"X-Content-Type-Options": {"nosniff"},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	resp := newResponse(req, code, h, int64(len(body)))
	resp.Body = io.NopCloser(strings.NewReader(body))
	if req.Method == http.MethodHead {
		resp.Body = http.NoBody
	}
	return resp
}

// dirBody turns a failed read of a file response into an *Error.
type dirBody struct {
	rc  io.ReadCloser
	d   *dirOrigin
	req *http.Request
}

func (b *dirBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		if e := canceled(b.d.id, b.req.Context()); e != nil {
			return n, e
		}
		return n, &Error{Origin: b.d.id, Kind: KindBadResponse, Err: fmt.Errorf("reading %s: %w", b.req.URL.Path, err)}
	}
	return n, err
}

func (b *dirBody) Close() error { return b.rc.Close() }
