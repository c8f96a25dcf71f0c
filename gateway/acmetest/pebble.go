package acmetest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Time bounds; they are liveness limits, never assertions about speed.
const (
	readyTimeout = 30 * time.Second // from exec to answering
	startTries   = 3                // a free port may be taken before a child binds it
)

// Pebble is a running pebble with its DNS server.
type Pebble struct {
	caFile     string         // the CA of pebble's own HTTPS certificate
	pool       *x509.CertPool // caFile, parsed
	directory  string         // https://127.0.0.1:port/dir
	management string         // https://127.0.0.1:port

	dns, pebble *proc
}

// Start runs pebble-challtestsrv and pebble for the rest of t (see the
// package comment for where the binaries are found and what happens
// without them) and returns once pebble's directory and management
// endpoints answer. Pebble validates HTTP-01 on 127.0.0.1:httpPort and
// TLS-ALPN-01 on 127.0.0.1:tlsPort; 0 makes that challenge type fail. Both
// processes are stopped when t ends.
func Start(t testing.TB, httpPort, tlsPort int) *Pebble {
	t.Helper()
	for _, port := range []int{httpPort, tlsPort} {
		if port < 0 || port > 65535 {
			t.Fatalf("acmetest: port %d out of range", port)
		}
	}
	pebbleBin, dnsBin, err := Binaries()
	if err != nil {
		if os.Getenv("EDGEWARD_REQUIRE_TOOLS") == "1" {
			t.Fatalf("pebble is required (EDGEWARD_REQUIRE_TOOLS=1): %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	dir := t.TempDir()
	caFile, certFile, keyFile, err := serverCert(dir)
	if err != nil {
		t.Fatalf("acmetest: pebble's HTTPS certificate: %v", err)
	}
	p := &Pebble{caFile: caFile, pool: x509.NewCertPool()}
	caPEM, err := os.ReadFile(caFile)
	if err != nil || !p.pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("acmetest: read back %s: %v", caFile, err)
	}
	if httpPort == 0 {
		httpPort = refuser(t)
	}
	if tlsPort == 0 {
		tlsPort = refuser(t)
	}
	var last error
	for try := 0; try < startTries; try++ {
		if last = p.start(dir, pebbleBin, dnsBin, certFile, keyFile, httpPort, tlsPort); last == nil {
			t.Cleanup(func() {
				p.Stop()
				if t.Failed() {
					t.Logf("pebble output (last 64 KiB):\n%s\npebble-challtestsrv output:\n%s", p.pebble.out, p.dns.out)
				}
			})
			return p
		}
	}
	t.Fatalf("pebble did not start: %v", last)
	return nil
}

// start runs both processes once on free ports; on failure both have been
// stopped again.
func (p *Pebble) start(dir, pebbleBin, dnsBin, certFile, keyFile string, httpPort, tlsPort int) (err error) {
	defer func() {
		if err != nil {
			p.Stop()
		}
	}()
	addrs, err := freeAddrs(4)
	if err != nil {
		return err
	}
	dnsAddr, dnsMgmt, listen, mgmt := addrs[0], addrs[1], addrs[2], addrs[3]
	p.dns, err = startProc("pebble-challtestsrv", dnsBin, []string{
		"-dnsserver", dnsAddr,
		"-management", dnsMgmt,
		"-defaultIPv4", "127.0.0.1",
		"-defaultIPv6", "", // no AAAA answers: pebble would try ::1 first
		"-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "",
	}, childEnv())
	if err != nil {
		return err
	}
	if err := waitTCP(p.dns, dnsAddr); err != nil {
		return fmt.Errorf("%w; its output:\n%s", err, p.dns.out)
	}

	config := filepath.Join(dir, "pebble-config.json")
	if err := writeConfig(config, listen, mgmt, certFile, keyFile, httpPort, tlsPort); err != nil {
		return err
	}
	p.directory = "https://" + listen + "/dir"
	p.management = "https://" + mgmt
	p.pebble, err = startProc("pebble", pebbleBin, []string{"-config", config, "-dnsserver", dnsAddr},
		append(childEnv(),
			"PEBBLE_VA_NOSLEEP=1",      // validate at once
			"PEBBLE_WFE_NONCEREJECT=0", // no made-up badNonce errors
			"PEBBLE_AUTHZREUSE=0",      // every order is validated
		))
	if err != nil {
		return err
	}
	for _, u := range []string{p.directory, p.management + "/roots/0"} {
		if err := p.waitHTTPS(u); err != nil {
			return fmt.Errorf("%w; its output:\n%s", err, p.pebble.out)
		}
	}
	return nil
}

// writeConfig writes pebble's configuration file.
func writeConfig(name, listen, mgmt, certFile, keyFile string, httpPort, tlsPort int) error {
	type profile struct {
		Description    string `json:"description"`
		ValidityPeriod int    `json:"validityPeriod"`
	}
	var c struct {
		Pebble struct {
			ListenAddress           string             `json:"listenAddress"`
			ManagementListenAddress string             `json:"managementListenAddress"`
			Certificate             string             `json:"certificate"`
			PrivateKey              string             `json:"privateKey"`
			HTTPPort                int                `json:"httpPort"`
			TLSPort                 int                `json:"tlsPort"`
			OCSPResponderURL        string             `json:"ocspResponderURL"`
			KeyAlgorithm            string             `json:"keyAlgorithm"`
			Profiles                map[string]profile `json:"profiles"`
		} `json:"pebble"`
	}
	c.Pebble.ListenAddress, c.Pebble.ManagementListenAddress = listen, mgmt
	c.Pebble.Certificate, c.Pebble.PrivateKey = certFile, keyFile
	c.Pebble.HTTPPort, c.Pebble.TLSPort = httpPort, tlsPort
	c.Pebble.KeyAlgorithm = "ecdsa"
	c.Pebble.Profiles = map[string]profile{"default": {Description: "90 days, as Let's Encrypt", ValidityPeriod: 90 * 24 * 3600}}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o600)
}

// waitTCP polls until addr accepts TCP connections (pebble asks its DNS
// server over TCP).
func waitTCP(p *proc, addr string) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		if err := p.alive(); err != nil {
			return err
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not accepting connections at %s after %s: %v", p.name, addr, readyTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitHTTPS polls until u answers 200.
func (p *Pebble) waitHTTPS(u string) error {
	client := p.httpClient()
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(readyTimeout)
	for {
		if err := p.pebble.alive(); err != nil {
			return err
		}
		resp, err := client.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pebble not answering %s after %s: %v", u, readyTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// httpClient trusts pebble's HTTPS certificate and nothing else.
func (p *Pebble) httpClient() *http.Client {
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: p.pool}},
	}
}

// Stop ends pebble and its DNS server before the test does (to show that
// something works without the CA, say). It is safe to call more than
// once; the test's cleanup calls it again.
func (p *Pebble) Stop() {
	p.pebble.stop()
	p.dns.stop()
}

// DirectoryURL is the ACME directory, "https://127.0.0.1:port/dir".
func (p *Pebble) DirectoryURL() string { return p.directory }

// CAFile is the PEM file of the CA that signed pebble's own HTTPS
// certificate: what an ACME client must trust to talk to pebble. It is
// made for this server and is not the root of what pebble issues.
func (p *Pebble) CAFile() string { return p.caFile }

// IssuerRoots fetches the root pebble issues certificates under (it makes
// a new one on every start), to verify certificates it issued.
func (p *Pebble) IssuerRoots(t testing.TB) *x509.CertPool {
	t.Helper()
	client := p.httpClient()
	defer client.CloseIdleConnections()
	resp, err := client.Get(p.management + "/roots/0")
	if err != nil {
		t.Fatalf("acmetest: pebble's root: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("acmetest: pebble's root: %s: %v", resp.Status, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(body) {
		t.Fatalf("acmetest: pebble's root: no PEM certificate in %q", body)
	}
	return pool
}

// refuser listens on a free loopback port and closes every connection, so
// a challenge pebble validates there fails. It returns the port.
func refuser(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// freeAddrs returns n loopback addresses ("127.0.0.1:port") whose ports
// were free a moment ago, all different.
func freeAddrs(n int) ([]string, error) {
	var addrs []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		addrs = append(addrs, ln.Addr().String())
	}
	return addrs, nil
}

// childEnv is the test's environment without what pebble would read.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PEBBLE_") {
			env = append(env, kv)
		}
	}
	return env
}
