package keys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Policy is one CloudFront policy statement, as a signer writes it.
type Policy struct {
	// Resource is the URL the policy covers, with '*' and '?' wildcards in
	// a custom policy ("https://cdn.example.com/videos/*", "http*://...").
	// In a canned policy it is the exact URL.
	Resource string
	// DateLessThan is when the policy expires (required). Only whole
	// seconds are signed; the fraction is dropped.
	DateLessThan time.Time
	// DateGreaterThan is when the policy starts; zero means no start.
	DateGreaterThan time.Time
	// IPAddress restricts viewers to a CIDR ("192.0.2.0/24"); a bare
	// address is taken as /32 (or /128). Empty means any address. It is
	// written into the policy exactly as given.
	IPAddress string
}

// CannedPolicy returns the policy of a canned signature: one exact URL and
// an expiry.
func CannedPolicy(resource string, expires time.Time) Policy {
	return Policy{Resource: resource, DateLessThan: expires}
}

// Kinds of policy a Grant was made from.
const (
	PolicyCanned = "canned"
	PolicyCustom = "custom"
)

// maxEpoch is 9999-12-31T23:59:59Z: epochs beyond it are refused, so
// adding a clock skew can never overflow.
const maxEpoch = 253402300799

// check refuses a policy the verifier could never accept.
func (p *Policy) check(canned bool) error {
	if p.Resource == "" {
		return errors.New("policy: empty Resource")
	}
	if !printable(p.Resource) {
		return fmt.Errorf("policy: Resource %s holds non-ASCII or control bytes; punycode the host and percent-encode the path", clip(p.Resource))
	}
	if err := checkEpoch("DateLessThan", p.DateLessThan); err != nil {
		return err
	}
	if canned {
		if !p.DateGreaterThan.IsZero() || p.IPAddress != "" {
			return errors.New("policy: a canned policy has only a Resource and DateLessThan; DateGreaterThan or IPAddress need a custom policy")
		}
		if strings.IndexByte(p.Resource, '*') >= 0 {
			return fmt.Errorf("policy: canned Resource %s has a '*'; a canned policy covers one exact URL (use a custom policy for wildcards)", clip(p.Resource))
		}
		return nil
	}
	if !p.DateGreaterThan.IsZero() {
		if err := checkEpoch("DateGreaterThan", p.DateGreaterThan); err != nil {
			return err
		}
		if p.DateGreaterThan.Unix() >= p.DateLessThan.Unix() {
			return errors.New("policy: DateGreaterThan is not before DateLessThan")
		}
	}
	if p.IPAddress != "" {
		if _, err := parseSourceIP(p.IPAddress); err != nil {
			return fmt.Errorf("policy: IPAddress: %w", err)
		}
	}
	return nil
}

func checkEpoch(name string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("policy: %s is required", name)
	}
	if s := t.Unix(); s < 0 || s > maxEpoch {
		return fmt.Errorf("policy: %s %s is outside 1970 to 9999", name, t.UTC().Format(time.RFC3339))
	}
	return nil
}

// JSON returns the custom policy document the Signer signs for p, byte for
// byte what the AWS SDK for Go v2 writes: keys in the order IpAddress,
// DateGreaterThan, DateLessThan, no whitespace, no HTML escaping.
func (p Policy) JSON() ([]byte, error) {
	if err := p.check(false); err != nil {
		return nil, err
	}
	return p.appendJSON(nil), nil
}

func (p *Policy) appendJSON(b []byte) []byte {
	b = append(b, `{"Statement":[{"Resource":`...)
	b = appendJSONString(b, p.Resource)
	b = append(b, `,"Condition":{`...)
	if p.IPAddress != "" {
		b = append(b, `"IpAddress":{"AWS:SourceIp":`...)
		b = appendJSONString(b, p.IPAddress)
		b = append(b, `},`...)
	}
	if !p.DateGreaterThan.IsZero() {
		b = append(b, `"DateGreaterThan":{"AWS:EpochTime":`...)
		b = strconv.AppendInt(b, p.DateGreaterThan.Unix(), 10)
		b = append(b, `},`...)
	}
	b = append(b, `"DateLessThan":{"AWS:EpochTime":`...)
	b = strconv.AppendInt(b, p.DateLessThan.Unix(), 10)
	return append(b, `}}}]}`...)
}

// appendCanned appends the canned policy document for url and the decimal
// epoch expires (already checked to be canonical digits).
func appendCanned(b []byte, url, expires string) []byte {
	b = append(b, `{"Statement":[{"Resource":`...)
	b = appendJSONString(b, url)
	b = append(b, `,"Condition":{"DateLessThan":{"AWS:EpochTime":`...)
	b = append(b, expires...)
	return append(b, `}}}]}`...)
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it with HTML escaping off (the AWS SDK's encoder setting).
func appendJSONString(b []byte, s string) []byte {
	if jsonPlain(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// jsonPlain reports whether s encodes as itself between quotes: printable
// ASCII without '"' or '\'.
func jsonPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// parseSourceIP reads an AWS:SourceIp value: a CIDR, IPv4 or IPv6, or a
// bare address taken as a single-address prefix. Host bits under the mask
// are ignored ("192.0.2.7/24" is 192.0.2.0/24). Zones are refused.
func parseSourceIP(s string) (netip.Prefix, error) {
	var pfx netip.Prefix
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return pfx, fmt.Errorf("%s is not a CIDR", clip(s))
		}
		pfx = p
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return pfx, fmt.Errorf("%s is not a CIDR or an IP address", clip(s))
		}
		pfx = netip.PrefixFrom(a, a.BitLen())
	}
	if pfx.Addr().Is4In6() {
		return pfx, fmt.Errorf("%s is an IPv4-mapped IPv6 prefix; write the IPv4 CIDR", clip(s))
	}
	return pfx.Masked(), nil
}
