package route

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// maxHostLen bounds a host name: 253 bytes for a DNS name; the request's
// name is copied into a buffer of this size to be lower-cased.
const maxHostLen = 253

// specHost validates a configured host name and returns its lookup key:
// lower-case, without a trailing dot, IPv6 literals in canonical form
// without brackets. wildcard reports a "*.domain" name, whose key is
// the domain.
func specHost(h string) (key string, wildcard bool, err error) {
	if h == "" {
		return "", false, errors.New("empty host name")
	}
	if strings.HasPrefix(h, "[") || strings.Count(h, ":") > 1 {
		a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
		if err != nil || !a.Is6() || a.Zone() != "" || (h[0] == '[') != strings.HasSuffix(h, "]") {
			return "", false, fmt.Errorf("host %q: not an IPv6 address", h)
		}
		return a.String(), false, nil
	}
	if strings.IndexByte(h, ':') >= 0 {
		return "", false, fmt.Errorf("host %q: must not carry a port", h)
	}
	name := strings.ToLower(strings.TrimSuffix(h, "."))
	if rest, ok := strings.CutPrefix(name, "*."); ok {
		name, wildcard = rest, true
	}
	if err := checkDNSName(name); err != nil {
		return "", false, fmt.Errorf("host %q: %w", h, err)
	}
	return name, wildcard, nil
}

func checkDNSName(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	if len(name) > maxHostLen {
		return fmt.Errorf("longer than %d bytes", maxHostLen)
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" {
			return errors.New("empty label")
		}
		if len(label) > 63 {
			return errors.New("label longer than 63 bytes")
		}
		for i := 0; i < len(label); i++ {
			if !isLabelByte(label[i]) {
				if label[i] == '*' {
					return errors.New(`a wildcard is allowed only as the whole first label ("*.example.com")`)
				}
				if label[i] >= 0x80 {
					return errors.New("non-ASCII name (use the xn-- form)")
				}
				return fmt.Errorf("invalid character %q", label[i])
			}
		}
	}
	return nil
}

// isLabelByte reports a byte allowed in a lower-cased host label.
func isLabelByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// requestHost strips the port (also from "[::1]:8080") and one trailing
// dot from a Host header value. ok is false for a value that is not a
// host[:port].
func requestHost(h string) (host string, ok bool) {
	if h == "" {
		return "", false
	}
	if h[0] == '[' {
		end := strings.IndexByte(h, ']')
		if end < 0 || !validPort(h[end+1:]) {
			return "", false
		}
		return h[1:end], end > 1
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		if strings.IndexByte(h[:i], ':') >= 0 || !validPort(h[i:]) {
			return "", false // an unbracketed IPv6 literal or junk
		}
		h = h[:i]
	}
	h = strings.TrimSuffix(h, ".")
	return h, h != ""
}

// validPort reports whether s is empty or ":" followed by at most five
// digits (RFC 3986 allows an empty port).
func validPort(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != ':' || len(s) > 6 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
