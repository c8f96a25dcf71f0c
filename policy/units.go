package policy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written in YAML as "10s", "5m", "24h".
type Duration time.Duration

// ByteSize is a size in bytes written in YAML as "20KiB", "256MiB", "1GB" or a plain integer.
type ByteSize int64

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats d as Go does ("1m30s").
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML accepts a Go duration string such as "10s", "1m30s" or
// "24h". A bare number, a negative duration or anything else is an error
// naming the line.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return lineError(n, "expected a duration such as \"10s\", got %s", describe(n))
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return lineError(n, "invalid duration %q: write a number with a unit, such as \"10s\", \"5m\" or \"24h\"", n.Value)
	}
	if v < 0 {
		return lineError(n, "invalid duration %q: must not be negative", n.Value)
	}
	*d = Duration(v)
	return nil
}

// Timestamp is a point in time written in YAML as RFC 3339
// ("2027-01-01T00:00:00Z"). The zero value means "not set".
type Timestamp struct{ time.Time }

// UnmarshalYAML accepts an RFC 3339 time with a time zone.
func (t *Timestamp) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return lineError(n, "expected a time such as \"2027-01-01T00:00:00Z\", got %s", describe(n))
	}
	v, err := time.Parse(time.RFC3339, n.Value)
	if err != nil {
		return lineError(n, "invalid time %q: write RFC 3339 with a zone, such as \"2027-01-01T00:00:00Z\"", n.Value)
	}
	t.Time = v
	return nil
}

// Int64 returns b as a number of bytes.
func (b ByteSize) Int64() int64 { return int64(b) }

// sizeUnits are the units a ByteSize may carry, largest first so String
// picks the largest that divides evenly; binary units win over decimal.
var sizeUnits = []struct {
	name string
	mult int64
}{
	{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3},
	{"B", 1},
}

// String formats b with the largest unit that divides it evenly
// ("20KiB", "1GB", "512B"); ParseByteSize reads it back.
func (b ByteSize) String() string {
	if b <= 0 {
		return strconv.FormatInt(int64(b), 10) + "B"
	}
	for _, u := range sizeUnits {
		if int64(b)%u.mult == 0 {
			return strconv.FormatInt(int64(b)/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(int64(b), 10) + "B" // unreachable: B divides everything
}

// ParseByteSize reads a size: a non-negative integer, optionally followed
// (with or without a space) by B, KB, MB, GB (powers of 1000) or KiB, MiB,
// GiB (powers of 1024). Units are case-sensitive.
func ParseByteSize(s string) (ByteSize, error) {
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	num, unit := s[:digits], strings.TrimLeft(s[digits:], " ")
	if num == "" || strings.HasPrefix(unit, ".") || strings.HasPrefix(unit, ",") {
		return 0, fmt.Errorf("invalid size %q: write a whole number of bytes, optionally with a unit (B, KB, MB, GB, KiB, MiB, GiB), such as \"20KiB\"", s)
	}
	mult := int64(1)
	if unit != "" {
		mult = 0
		for _, u := range sizeUnits {
			if u.name == unit {
				mult = u.mult
			}
		}
		if mult == 0 {
			return 0, fmt.Errorf("invalid size %q: unknown unit %q (use B, KB, MB, GB, KiB, MiB or GiB; units are case-sensitive)", s, unit)
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return ByteSize(n * mult), nil
}

// UnmarshalYAML accepts what ParseByteSize accepts. Negative sizes and
// anything else are errors naming the line.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return lineError(n, "expected a size such as \"20KiB\", got %s", describe(n))
	}
	if strings.HasPrefix(n.Value, "-") {
		return lineError(n, "invalid size %q: must not be negative", n.Value)
	}
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return lineError(n, "%v", err)
	}
	*b = v
	return nil
}

// lineError is the error an UnmarshalYAML method returns: yaml.v3
// collects a *yaml.TypeError with the other problems and keeps decoding,
// while any other error type would abort the whole decode.
func lineError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", n.Line) + fmt.Sprintf(format, args...)}}
}
