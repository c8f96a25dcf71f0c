package policy

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strings"
)

// HSTS and redirect limits.
const (
	maxHSTSAge          = 2 * 365 * 24 * 3600 // two years, the preload list's ceiling
	defaultRedirectCode = 301
)

// Viewer protocol policies (CloudFront's names).
const (
	ViewerAllowAll        = "allow-all"
	ViewerRedirectToHTTPS = "redirect-to-https"
	ViewerHTTPSOnly       = "https-only"
)

// https checks listen.https, tls and proxy settings together.
func (v *validator) https(c *Config) {
	l := &c.Listen
	if l.HTTPS != "" {
		if msg := checkListenAddr(l.HTTPS); msg != "" {
			v.errorf("listen.https", "%q: %s", l.HTTPS, msg)
		} else if l.HTTPS == l.HTTP && !strings.HasSuffix(l.HTTPS, ":0") {
			v.errorf("listen.https", "%q is also listen.http", l.HTTPS)
		}
		if c.TLS == nil {
			v.errorf("listen.https", "an HTTPS listener needs a tls block with certificates or acme")
		}
	}
	if c.TLS != nil {
		if l.HTTPS == "" {
			v.errorf("tls", "set listen.https: tls configures the HTTPS listener")
		}
		v.tls(c.TLS)
	}
	for i, p := range c.TrustedProxies {
		path := fmt.Sprintf("trusted_proxies[%d]", i)
		pfx, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				v.errorf(path, "%q is not a CIDR or an IP address", p)
				continue
			}
			pfx = netip.PrefixFrom(addr, addr.BitLen())
		}
		c.TrustedPrefixes = append(c.TrustedPrefixes, pfx.Masked())
	}
	if l.ProxyProtocol && len(c.TrustedProxies) == 0 {
		v.errorf("listen.proxy_protocol", "set trusted_proxies: only their PROXY headers are believed")
	}
}

func (v *validator) tls(t *TLS) {
	switch t.MinVersion {
	case "":
		t.MinVersion = "1.2"
	case "1.2", "1.3":
	default:
		v.errorf("tls.min_version", "%q: use \"1.2\" (default) or \"1.3\"", t.MinVersion)
	}
	if len(t.Certificates) == 0 && t.ACME == nil {
		v.errorf("tls", "set certificates, acme, or both")
	}
	for i := range t.Certificates {
		v.certificate(fmt.Sprintf("tls.certificates[%d]", i), &t.Certificates[i])
	}
	if t.ACME != nil {
		v.acme("tls.acme", t.ACME)
	}
}

func (v *validator) certificate(path string, c *Certificate) {
	if c.Cert == "" {
		v.errorf(path+".cert", "required: a PEM file with the certificate chain, leaf first")
	}
	if c.Key == "" {
		v.errorf(path+".key", "required: a PEM file with the certificate's private key")
	}
	if c.Cert == "" || c.Key == "" {
		return
	}
	certFile, keyFile := c.Cert, c.Key
	c.Cert, c.Key = v.abs(certFile), v.abs(keyFile)
	certPEM, err := readSmallFile(c.Cert, 1<<20)
	if err != nil {
		v.errorf(path+".cert", "%s: %v", certFile, err)
		return
	}
	keyPEM, err := readSmallFile(c.Key, 1<<20)
	if err != nil {
		v.errorf(path+".key", "%s: %v", keyFile, err)
		return
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		at := path + ".cert"
		if blk, _ := pem.Decode(keyPEM); blk == nil || !strings.Contains(blk.Type, "PRIVATE KEY") || strings.Contains(err.Error(), "private key does not match") {
			at = path + ".key"
		}
		v.errorf(at, "%s and %s are not a certificate and its key: %v", certFile, keyFile, err)
		return
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		v.errorf(path+".cert", "%s: %v", certFile, err)
		return
	}
	if len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0 {
		v.errorf(path+".cert", "%s names no host (no DNS or IP subject alternative names)", certFile)
		return
	}
	pair.Leaf = leaf
	c.Pair = &pair
}

func (v *validator) acme(path string, a *ACME) {
	if a.Email != "" {
		if _, err := mail.ParseAddress(a.Email); err != nil {
			v.errorf(path+".email", "%q is not an email address", a.Email)
		}
	}
	if a.CacheDir == "" {
		v.errorf(path+".cache_dir", "required: a directory where accounts and certificates are kept (it must survive restarts, or the CA's rate limits will bite)")
	} else {
		written := a.CacheDir
		a.CacheDir = v.abs(written)
		if st, err := os.Stat(a.CacheDir); err == nil && !st.IsDir() {
			v.errorf(path+".cache_dir", "%s is not a directory", written)
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			v.errorf(path+".cache_dir", "%s: %v", written, errors.Unwrap(err))
		}
	}
	if a.Directory != "" {
		u, err := url.Parse(a.Directory)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			v.errorf(path+".directory", "%q: want the https:// URL of an ACME directory", a.Directory)
		}
	}
	if a.DirectoryCA != "" {
		written := a.DirectoryCA
		a.DirectoryCA = v.abs(written)
		data, err := readSmallFile(a.DirectoryCA, 1<<20)
		switch {
		case err != nil:
			v.errorf(path+".directory_ca", "%s: %v", written, err)
		case !x509.NewCertPool().AppendCertsFromPEM(data):
			v.errorf(path+".directory_ca", "%s holds no PEM certificate", written)
		}
	}
	for i, h := range a.Hosts {
		if strings.Contains(h, "*") || !validHost(h) {
			v.errorf(fmt.Sprintf("%s.hosts[%d]", path, i), "%q: ACME needs exact host names (HTTP-01 and TLS-ALPN-01 cannot prove wildcards)", h)
		}
	}
}

func (v *validator) responseHeaders(path string, rh *ResponseHeaders) {
	if h := rh.HSTS; h != nil {
		if h.MaxAge < 0 || h.MaxAge > maxHSTSAge {
			v.errorf(path+".hsts.max_age", "%d: give seconds, 0 to %d (two years)", h.MaxAge, maxHSTSAge)
		}
		if h.Preload && (h.MaxAge < 31536000 || !h.IncludeSubdomains) {
			v.errorf(path+".hsts.preload", "the preload list requires max_age of at least 31536000 and include_subdomains")
		}
	}
}

func (v *validator) viewerProtocol(path string, b *Behavior) {
	switch b.ViewerProtocol {
	case "":
		b.ViewerProtocol = ViewerAllowAll
	case ViewerAllowAll, ViewerRedirectToHTTPS, ViewerHTTPSOnly:
	default:
		v.errorf(path+".viewer_protocol", "%q: use allow-all, redirect-to-https or https-only", b.ViewerProtocol)
	}
	switch {
	case b.RedirectCode == 0:
		b.RedirectCode = defaultRedirectCode
	case b.RedirectCode != 301 && b.RedirectCode != 302 && b.RedirectCode != 307 && b.RedirectCode != 308:
		v.errorf(path+".redirect_code", "%d: use 301 (default), 302, 307 or 308", b.RedirectCode)
	case b.ViewerProtocol != ViewerRedirectToHTTPS:
		v.errorf(path+".redirect_code", "applies to viewer_protocol: redirect-to-https only")
	}
}
