package httpcache

import (
	"net/http"
	"testing"
	"time"
)

func TestAge(t *testing.T) {
	stored := now
	tests := []struct {
		name string
		h    http.Header
		at   time.Time
		want int
	}{
		{"just stored", http.Header{}, stored, 0},
		{"resident time, floored", http.Header{}, stored.Add(90*time.Second + 900*time.Millisecond), 90},
		{"origin Age added", hdr("Age", "100"), stored.Add(90 * time.Second), 190},
		{"origin Age alone", hdr("Age", "100"), stored, 100},
		{"clock before stored", hdr("Age", "5"), stored.Add(-time.Hour), 5},
		{"invalid Age ignored", hdr("Age", "-3"), stored.Add(time.Second), 1},
		{"list Age: first member", hdr("Age", "10, 200"), stored, 10},
		{"repeated Age: first line", hdr("Age", "10", "Age", "200"), stored, 10},
		{"huge Age saturates", hdr("Age", "999999999999999"), stored.Add(time.Hour), 1 << 31},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Age(stored, tt.h, tt.at); got != tt.want {
				t.Errorf("Age = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestFreshnessAt(t *testing.T) {
	fresh := now
	tests := []struct {
		name     string
		swr, sie time.Duration
		at       time.Time
		want     Freshness
	}{
		{"before fresh", 0, 0, fresh.Add(-time.Nanosecond), Fresh},
		{"at fresh is stale", 0, 0, fresh, Stale},
		{"within swr", time.Minute, 0, fresh.Add(30 * time.Second), StaleRevalidate},
		{"end of swr", time.Minute, 0, fresh.Add(time.Minute), Stale},
		{"within sie", 0, time.Hour, fresh.Add(30 * time.Minute), StaleIfError},
		{"end of sie", 0, time.Hour, fresh.Add(time.Hour), Stale},
		{"swr wins where both apply", time.Minute, time.Hour, fresh.Add(30 * time.Second), StaleRevalidate},
		{"sie after swr", time.Minute, time.Hour, fresh.Add(30 * time.Minute), StaleIfError},
		{"swr longer than sie", time.Hour, time.Minute, fresh.Add(30 * time.Minute), StaleRevalidate},
		{"fresh despite windows", time.Hour, time.Hour, fresh.Add(-time.Second), Fresh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FreshnessAt(fresh, tt.swr, tt.sie, tt.at); got != tt.want {
				t.Errorf("FreshnessAt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFreshnessString(t *testing.T) {
	for f, want := range map[Freshness]string{Fresh: "fresh", StaleRevalidate: "stale-while-revalidate", StaleIfError: "stale-if-error", Stale: "stale"} {
		if f.String() != want {
			t.Errorf("%d.String() = %q, want %q", f, f.String(), want)
		}
	}
}
