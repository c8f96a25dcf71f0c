package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseWhen reads a time given on the command line: RFC 3339
// ("2026-12-01T00:00:00Z"), a duration from now ("+1h", "+30m", "+7d"),
// or Unix seconds ("1767225600").
func parseWhen(s string, now time.Time) (time.Time, error) {
	switch {
	case s == "":
		return time.Time{}, fmt.Errorf("empty time")
	case strings.HasPrefix(s, "+"):
		d, err := parseRelative(s[1:])
		if err != nil || d <= 0 {
			return time.Time{}, fmt.Errorf("%q: write a positive duration after '+', such as +1h, +30m or +7d", s)
		}
		return now.Add(d).Truncate(time.Second), nil
	case isDigits(s):
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || n > 1<<40 {
			return time.Time{}, fmt.Errorf("%q: not a Unix time in seconds", s)
		}
		return time.Unix(n, 0).UTC(), nil
	default:
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: want RFC 3339 (2026-12-01T00:00:00Z), +DURATION (+1h) or Unix seconds", s)
		}
		return t, nil
	}
}

// parseRelative is time.ParseDuration plus a "d" (24h) unit.
func parseRelative(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok && isDigits(days) {
		n, err := strconv.Atoi(days)
		if err != nil || n > 36500 {
			return 0, fmt.Errorf("too many days")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
