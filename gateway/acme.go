package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/edgeward/edgeward/policy"
)

// ACME (RFC 8555) with autocert: certificates for the configured host names
// are obtained on the first handshake that asks for one, kept in cache_dir,
// served from memory afterwards and renewed in the background (autocert's
// default: 30 days before expiry). Ownership is proved with TLS-ALPN-01
// (RFC 8737) on the HTTPS listener, then, if that fails, HTTP-01 on the
// plain-HTTP listener.
const (
	acmeChallengePrefix = "/.well-known/acme-challenge/"
	acmeMaxCAFile       = 1 << 20
	// acmeRequestTimeout bounds one request to the ACME server (a liveness
	// limit; autocert bounds a whole issuance to 5 minutes).
	acmeRequestTimeout = time.Minute
	// After an issuance for a name fails, handshakes for that name fail at
	// once, without asking the CA, for acmeBackoffMin, doubling with each
	// further failure up to acmeBackoffMax: any client can start an
	// issuance by sending a name, and a CA counts failures against rate
	// limits (Let's Encrypt: 5 failed validations per name per hour).
	// autocert alone would try again after a minute, every minute.
	acmeBackoffMin = time.Minute
	acmeBackoffMax = time.Hour
)

// acmeManager gets, caches and renews certificates for a fixed set of host
// names with autocert. Build one with newACMEManager; it is safe for
// concurrent use and is shared across reloads while its settings stay the
// same (see buildACME).
type acmeManager struct {
	mgr       *autocert.Manager
	client    *acme.Client // mgr.Client, kept for tests
	hosts     map[string]struct{}
	challenge http.Handler // autocert's HTTP-01 responder
	now       func() time.Time

	mu     sync.Mutex
	failed map[string]acmeFailure // names whose last issuance failed
}

// acmeFailure is the backoff state of one name.
type acmeFailure struct {
	until time.Time // no new attempt before
	wait  time.Duration
	err   error
}

// newACMEManager checks cfg and hosts and builds the manager. It creates
// cfg.CacheDir (0700) when missing, but does not talk to the ACME server:
// the account is registered, and the terms of service accepted, with the
// first certificate order.
func newACMEManager(cfg *policy.ACME, hosts []string) (*acmeManager, error) {
	if cfg == nil {
		return nil, errors.New("tls.acme: no acme settings")
	}
	set, err := acmeHostSet(hosts)
	if err != nil {
		return nil, err
	}
	if err := acmeCacheDir(cfg.CacheDir); err != nil {
		return nil, err
	}
	if cfg.Email != "" {
		if a, err := mail.ParseAddress(cfg.Email); err != nil || a.Address != cfg.Email {
			return nil, fmt.Errorf("tls.acme.email: %q: want a plain address such as ops@example.com", cfg.Email)
		}
	}
	directory := cfg.Directory
	if directory == "" {
		directory = acme.LetsEncryptURL
	}
	if u, err := url.Parse(directory); err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("tls.acme.directory: %q: want the https:// URL of an ACME directory", directory)
	}
	hc, err := acmeHTTPClient(cfg.DirectoryCA)
	if err != nil {
		return nil, err
	}
	m := &acmeManager{
		client: &acme.Client{DirectoryURL: directory, HTTPClient: hc, UserAgent: "edgeward"},
		hosts:  set,
		now:    time.Now,
		failed: make(map[string]acmeFailure),
	}
	m.mgr = &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(cfg.CacheDir),
		HostPolicy: m.hostPolicy,
		Email:      cfg.Email,
		Client:     m.client,
	}
	// Asking autocert for its handler is what lets it offer HTTP-01 (after
	// TLS-ALPN-01), so do it once here: the gateway always has a plain-HTTP
	// listener, and HTTPHandler is called per request.
	m.challenge = m.mgr.HTTPHandler(http.NotFoundHandler())
	return m, nil
}

// GetCertificate returns the certificate for hello's server name, getting
// one from the CA first when there is none yet (the handshake waits), and
// answers TLS-ALPN-01 validation handshakes (ALPN "acme-tls/1" only) with
// the challenge certificate. Names that are not ACME hosts are refused
// without contacting the CA; so is a name whose last issuance failed, until
// its backoff has passed.
func (m *acmeManager) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if len(hello.SupportedProtos) == 1 && hello.SupportedProtos[0] == acme.ALPNProto {
		return m.mgr.GetCertificate(hello) // only ever a challenge certificate
	}
	if hello.ServerName == "" {
		return nil, errors.New("acme: no server name (SNI) in the handshake: ACME certificates are chosen by name")
	}
	name := acmeNormalize(hello.ServerName)
	if !m.Handles(name) {
		return nil, fmt.Errorf("acme: %q is not an ACME host", name)
	}
	if err := m.backingOff(name); err != nil {
		return nil, err
	}
	cert, err := m.mgr.GetCertificate(hello)
	if err != nil {
		m.fail(name, err)
		return nil, err
	}
	m.succeed(name)
	return cert, nil
}

// Handles reports whether name is one of the ACME hosts (case-insensitive;
// a trailing dot is ignored).
func (m *acmeManager) Handles(name string) bool {
	_, ok := m.hosts[acmeNormalize(name)]
	return ok
}

// HTTPHandler serves HTTP-01 challenges (/.well-known/acme-challenge/...)
// for the ACME hosts (the Host header, port ignored) and passes every other
// request to fallback. A nil fallback answers 404.
func (m *acmeManager) HTTPHandler(fallback http.Handler) http.Handler {
	if fallback == nil {
		fallback = http.NotFoundHandler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, acmeChallengePrefix) {
			fallback.ServeHTTP(w, r)
			return
		}
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		name := acmeNormalize(host)
		if !m.Handles(name) {
			fallback.ServeHTTP(w, r)
			return
		}
		// autocert checks the host policy against r.Host as it is, and a
		// CA validating on a port other than 80 sends "name:port".
		r = r.Clone(r.Context())
		r.Host = name
		m.challenge.ServeHTTP(w, r)
	})
}

// hostPolicy is autocert's HostPolicy: exactly the configured names.
func (m *acmeManager) hostPolicy(_ context.Context, host string) error {
	if !m.Handles(host) {
		return fmt.Errorf("acme: %q is not an ACME host", acmeNormalize(host))
	}
	return nil
}

// backingOff returns an error while name's last issuance failure is recent.
func (m *acmeManager) backingOff(name string) error {
	m.mu.Lock()
	f, ok := m.failed[name]
	m.mu.Unlock()
	if !ok || !m.now().Before(f.until) {
		return nil
	}
	return fmt.Errorf("acme: not asking the CA for %q again before %s; the last attempt failed: %w",
		name, f.until.UTC().Format(time.RFC3339), f.err)
}

// fail records a failed issuance for name. Handshakes that waited for the
// same attempt all fail with it; they count once.
func (m *acmeManager) fail(name string, err error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.failed[name]
	if ok && now.Before(f.until) {
		return
	}
	f.wait = min(max(2*f.wait, acmeBackoffMin), acmeBackoffMax)
	f.until, f.err = now.Add(f.wait), err
	m.failed[name] = f
}

// succeed forgets name's failures.
func (m *acmeManager) succeed(name string) {
	m.mu.Lock()
	if len(m.failed) > 0 {
		delete(m.failed, name)
	}
	m.mu.Unlock()
}

// acmeNormalize is the form names are compared in.
func acmeNormalize(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".")
}

// acmeHostSet checks that every host is a name a CA can issue for with
// HTTP-01 or TLS-ALPN-01: an exact DNS name (ASCII; internationalized names
// in their xn-- form) with at least two labels, no wildcard, no IP address.
func acmeHostSet(hosts []string) (map[string]struct{}, error) {
	if len(hosts) == 0 {
		return nil, errors.New("tls.acme: no host names to get certificates for: set tls.acme.hosts, or give a distribution an exact host name")
	}
	set := make(map[string]struct{}, len(hosts))
	for _, h := range hosts {
		name := acmeNormalize(h)
		if err := acmeCheckName(name); err != nil {
			return nil, fmt.Errorf("tls.acme: host %q: %v", h, err)
		}
		set[name] = struct{}{}
	}
	return set, nil
}

func acmeCheckName(name string) error {
	if strings.Contains(name, "*") {
		return errors.New("a wildcard needs DNS-01, which Edgeward does not do: name each host")
	}
	if _, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
		return errors.New("an IP address: ACME certificates here are for DNS names")
	}
	if len(name) > 253 {
		return errors.New("longer than 253 characters")
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return errors.New("a single-label name: a public CA issues only for names with a dot")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return errors.New("labels must be 1 to 63 characters")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("label %q starts or ends with '-'", l)
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("%q is not allowed (letters, digits and '-'; write internationalized names as xn--)", c)
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return errors.New("the last label is all digits")
	}
	return nil
}

// acmeCacheDir checks, and creates when missing, the directory where the
// account key and the certificates with their private keys are kept. Files
// in it are written 0600; a directory others may write to would let them
// replace keys, so it is refused.
func acmeCacheDir(dir string) error {
	if dir == "" {
		return errors.New("tls.acme.cache_dir: required: a directory where the account and certificates are kept")
	}
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("tls.acme.cache_dir: %s: want an absolute path", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("tls.acme.cache_dir: %v", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("tls.acme.cache_dir: %v", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("tls.acme.cache_dir: %s is not a directory", dir)
	}
	if goruntime.GOOS != "windows" && st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("tls.acme.cache_dir: %s is writable by group or others (mode %04o): it holds private keys; chmod 700 it",
			dir, st.Mode().Perm())
	}
	probe, err := os.CreateTemp(dir, ".edgeward-probe-")
	if err != nil {
		return fmt.Errorf("tls.acme.cache_dir: %s is not writable: %v", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// acmeHTTPClient is the client for the ACME server: the system's roots,
// or only the certificates in caFile when it is set.
func acmeHTTPClient(caFile string) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		if !filepath.IsAbs(caFile) {
			return nil, fmt.Errorf("tls.acme.directory_ca: %s: want an absolute path", caFile)
		}
		pem, err := acmeReadCA(caFile)
		if err != nil {
			return nil, fmt.Errorf("tls.acme.directory_ca: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls.acme.directory_ca: %s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{Transport: tr, Timeout: acmeRequestTimeout}, nil
}

func acmeReadCA(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, acmeMaxCAFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(b) > acmeMaxCAFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, acmeMaxCAFile)
	}
	return b, nil
}

var _ tlsACME = (*acmeManager)(nil)
