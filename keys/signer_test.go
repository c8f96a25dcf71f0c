package keys

import (
	"crypto"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestNewSigner(t *testing.T) {
	k := loadTestKeys(t)
	for _, c := range []struct {
		name    string
		id      string
		key     crypto.Signer
		hash    HashAlgorithm
		wantErr string
	}{
		{"RSA", "K1", k.rsaA, HashDefault, ""},
		{"ECDSA SHA256", "K1", k.ecA, HashSHA256, ""},
		{"bad id", "K 1", k.rsaA, HashDefault, "letters and digits"},
		{"empty id", "", k.rsaA, HashDefault, "empty key id"},
		{"no key", "K1", nil, HashDefault, "no private key"},
		{"RSA 1024", "K1", k.rsa1024, HashDefault, "1024 bits"},
		{"P-384", "K1", k.ec384, HashDefault, "P-384"},
		{"unknown hash", "K1", k.rsaA, HashAlgorithm(7), "HashAlgorithm(7)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := NewSigner(c.id, c.key, c.hash)
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if s.KeyID() != c.id || s.HashAlgorithm() != c.hash {
					t.Fatal("accessors")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}

// TestSignRefuses: inputs whose signed form no verifier could accept.
func TestSignRefuses(t *testing.T) {
	f := newFixture(t)
	s := f.signer["rsa"]
	exp := t0.Add(time.Hour)
	for _, c := range []struct {
		name, url string
		exp       time.Time
		wantErr   string
	}{
		{"no scheme", "d.test/a", exp, "scheme"},
		{"ftp", "ftp://d.test/a", exp, "http or https"},
		{"upper-case scheme", "HTTPS://d.test/a", exp, "http or https"},
		{"wildcard scheme in canned", "http*://d.test/a", exp, "http or https"},
		{"no host", "https:///a", exp, "no host"},
		{"fragment", "https://d.test/a#x", exp, "fragment"},
		{"user information", "https://u:p@d.test/a", exp, "user information"},
		{"star in canned", "https://d.test/a*", exp, "exact URL"},
		{"own Expires", "https://d.test/a?Expires=1", exp, "Expires"},
		{"own Key-Pair-Id", "https://d.test/a?x=1&Key-Pair-Id=K", exp, "Key-Pair-Id"},
		{"own Hash-Algorithm", "https://d.test/a?Hash-Algorithm=SHA1", exp, "Hash-Algorithm"},
		{"encoded own Signature", "https://d.test/a?Signatur%65=1", exp, "Signatur%65"},
		{"non-ASCII", "https://d.test/\u01f7", exp, "non-ASCII"},
		{"no expiry", "https://d.test/a", time.Time{}, "DateLessThan is required"},
		{"expiry before 1970", "https://d.test/a", time.Unix(-1, 0), "outside 1970"},
		{"expiry after 9999", "https://d.test/a", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "outside 1970"},
	} {
		t.Run("canned "+c.name, func(t *testing.T) {
			_, err := s.SignURL(c.url, c.exp)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
	u := "https://d.test/v/a"
	for _, c := range []struct {
		name    string
		url     string
		p       Policy
		wantErr string
	}{
		{"Resource does not cover the URL", u, Policy{Resource: "https://d.test/w/*", DateLessThan: exp}, "does not match"},
		{"empty Resource", u, Policy{DateLessThan: exp}, "empty Resource"},
		{"no DateLessThan", u, Policy{Resource: "*"}, "DateLessThan is required"},
		{"DateGreaterThan not before DateLessThan", u, Policy{Resource: "*", DateLessThan: exp, DateGreaterThan: exp}, "not before"},
		{"bad IP", u, Policy{Resource: "*", DateLessThan: exp, IPAddress: "192.0.2.0/33"}, "IPAddress"},
		{"IP with zone", u, Policy{Resource: "*", DateLessThan: exp, IPAddress: "fe80::1%eth0"}, "IPAddress"},
		{"wildcard over a dot-segment", "https://d.test/v/../w", Policy{Resource: "https://d.test/v/*", DateLessThan: exp}, "dot-segment"},
		{"wildcard scheme kept", "*://d.test/a", Policy{Resource: "*", DateLessThan: exp}, "http or https"},
	} {
		t.Run("custom "+c.name, func(t *testing.T) {
			_, err := s.SignURLWithPolicy(c.url, c.p)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
	for _, c := range []struct {
		name    string
		p       Policy
		wantErr string
	}{
		{"canned with DateGreaterThan", Policy{Resource: u, DateLessThan: exp, DateGreaterThan: t0}, "custom policy"},
		{"canned with IP", Policy{Resource: u, DateLessThan: exp, IPAddress: "192.0.2.1"}, "custom policy"},
		{"canned wildcard", Policy{Resource: "https://d.test/*", DateLessThan: exp}, "exact URL"},
		{"canned not a URL", Policy{Resource: "d.test/a", DateLessThan: exp}, "http or https"},
	} {
		t.Run("cookies "+c.name, func(t *testing.T) {
			_, err := s.SignCookies(c.p, true)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, c.wantErr)
			}
		})
	}
}

func TestSignURLShape(t *testing.T) {
	f := newFixture(t)
	exp := time.Unix(1795352400, 0)
	for _, c := range []struct {
		role, url, prefix, suffix string
	}{
		{"rsa", "https://d.test/a", "https://d.test/a?Expires=1795352400&Signature=", "&Key-Pair-Id=KRSAA"},
		{"rsa-sha1", "https://d.test/a?x=1", "https://d.test/a?x=1&Expires=1795352400&Signature=", "&Key-Pair-Id=KRSAA&Hash-Algorithm=SHA1"},
		{"ec-sha256", "https://d.test/a?", "https://d.test/a?&Expires=1795352400&Signature=", "&Key-Pair-Id=KECA&Hash-Algorithm=SHA256"},
	} {
		got := f.signedURL(t, c.role, c.url, exp)
		if !strings.HasPrefix(got, c.prefix) || !strings.HasSuffix(got, c.suffix) {
			t.Errorf("%s %s: %s", c.role, c.url, got)
		}
	}
	got := f.customURL(t, "rsa", "http*://d.test/a", Policy{Resource: "http*://d.test/*", DateLessThan: exp})
	if !strings.HasPrefix(got, "http://d.test/a?Policy=") {
		t.Errorf("http* URL: %s", got)
	}
	cs, err := f.signer["ec-sha256"].SignCookies(CannedPolicy("https://d.test/a", exp), true)
	must(t, err)
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
		if !c.HttpOnly || c.Path != "" || c.Domain != "" {
			t.Errorf("cookie %s attributes: %s", c.Name, c.String())
		}
	}
	if got := strings.Join(names, ","); got != "CloudFront-Expires,CloudFront-Signature,CloudFront-Key-Pair-Id,CloudFront-Hash-Algorithm" {
		t.Errorf("cookie names %s", got)
	}
}

func TestPolicyJSON(t *testing.T) {
	p := Policy{Resource: `https://d.test/"q"\<&>`, DateLessThan: time.Unix(20, 0), DateGreaterThan: time.Unix(10, 0), IPAddress: "192.0.2.0/24"}
	got, err := p.JSON()
	must(t, err)
	want := `{"Statement":[{"Resource":"https://d.test/\"q\"\\<&>","Condition":{"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"},"DateGreaterThan":{"AWS:EpochTime":10},"DateLessThan":{"AWS:EpochTime":20}}}]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if _, err := (Policy{}).JSON(); err == nil {
		t.Error("empty policy encoded")
	}
}

type failingSigner struct{ crypto.Signer }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("HSM unavailable")
}

func TestSignerKeyFailure(t *testing.T) {
	k := loadTestKeys(t)
	s, err := NewSigner("K1", failingSigner{k.rsaA}, HashDefault)
	must(t, err)
	if _, err := s.SignURL("https://d.test/a", t0); err == nil || !strings.Contains(err.Error(), "HSM unavailable") {
		t.Fatalf("error %v", err)
	}
	if _, err := s.SignCookies(CannedPolicy("https://d.test/a", t0), true); err == nil {
		t.Fatal("no error")
	}
	if _, err := s.SignURLWithPolicy("https://d.test/a", CannedPolicy("https://d.test/a", t0)); err == nil {
		t.Fatal("no error")
	}
}
