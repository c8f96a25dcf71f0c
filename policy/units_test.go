package policy

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestDurationUnmarshal(t *testing.T) {
	good := map[string]time.Duration{
		"10s": 10 * time.Second, "5m": 5 * time.Minute, "24h": 24 * time.Hour,
		"1m30s": 90 * time.Second, "250ms": 250 * time.Millisecond, "0s": 0, "0": 0,
	}
	for in, want := range good {
		var d Duration
		if err := yaml.Unmarshal([]byte("v: "+in), &struct{ V *Duration }{&d}); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if d.Std() != want {
			t.Errorf("%q = %v, want %v", in, d.Std(), want)
		}
	}
	bad := map[string]string{
		"10":          "invalid duration \"10\": write a number with a unit",
		"-5s":         "must not be negative",
		"soon":        "invalid duration",
		"'1 minute'":  "invalid duration",
		"[10s]":       "expected a duration",
		"{a: 1}":      "expected a duration",
		"10 s":        "invalid duration",
		"9999999999h": "invalid duration",
	}
	for in, want := range bad {
		var d Duration
		err := yaml.Unmarshal([]byte("\nv: "+in), &struct{ V *Duration }{&d})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "line 2: ") {
			t.Errorf("%q: error %v, want line 2 and %q", in, err, want)
		}
	}
}

func TestByteSize(t *testing.T) {
	good := map[string]int64{
		"0": 0, "512": 512, "512B": 512, "20KiB": 20 << 10, "20 KiB": 20 << 10,
		"1KB": 1000, "256MiB": 256 << 20, "1MB": 1e6, "2GiB": 2 << 30, "3GB": 3e9,
	}
	for in, want := range good {
		var b ByteSize
		if err := yaml.Unmarshal([]byte("v: "+in), &struct{ V *ByteSize }{&b}); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if b.Int64() != want {
			t.Errorf("%q = %d, want %d", in, b.Int64(), want)
		}
		again, err := ParseByteSize(b.String())
		if err != nil || again != b {
			t.Errorf("%q: String %q reads back as %v, %v", in, b.String(), again, err)
		}
	}
	bad := map[string]string{
		"-1":             "must not be negative",
		"-1KiB":          "must not be negative",
		"20kib":          "unknown unit",
		"20kb":           "unknown unit",
		"1.5MiB":         "whole number",
		"KiB":            "whole number",
		"many":           "whole number",
		"1TB":            "unknown unit",
		"0x10":           "unknown unit",
		"1,5KB":          "whole number",
		"99999999999GiB": "too large",
		"[1]":            "expected a size",
	}
	for in, want := range bad {
		var b ByteSize
		err := yaml.Unmarshal([]byte("\nv: "+in), &struct{ V *ByteSize }{&b})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "line 2: ") {
			t.Errorf("%q: error %v, want line 2 and %q", in, err, want)
		}
	}
}

func TestUnitStrings(t *testing.T) {
	for b, want := range map[ByteSize]string{0: "0B", 512: "512B", 20 << 10: "20KiB", 1000: "1KB", 1 << 30: "1GiB", 1500: "1500B", 3e9: "3GB"} {
		if got := b.String(); got != want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(b), got, want)
		}
	}
	if got := Duration(90 * time.Second).String(); got != "1m30s" {
		t.Errorf("Duration String = %q", got)
	}
}

// TestUnmarshalErrorsAccumulate checks what the unit types rely on: their
// *yaml.TypeError is collected by yaml.v3 with the other problems.
func TestUnmarshalErrorsAccumulate(t *testing.T) {
	var v struct {
		A Duration
		B ByteSize
		C int
	}
	err := yaml.Unmarshal([]byte("a: x\nb: y\nc: 1\n"), &v)
	te, ok := err.(*yaml.TypeError)
	if !ok || len(te.Errors) != 2 || v.C != 1 {
		t.Fatalf("got %#v (%v), C=%d; want two collected errors and C decoded", err, err, v.C)
	}
}
