package httpcache

import (
	"time"

	"github.com/edgeward/edgeward/policy"
)

// defaultPolicy is what a nil *policy.CachePolicy stands for
// (policy.Behavior.Cache documents nil as "the defaults"): CloudFront's
// defaults, which the policy decoder also writes in. It is never modified.
var defaultPolicy = policy.CachePolicy{
	MinTTL:       0,
	DefaultTTL:   policy.Duration(24 * time.Hour),
	MaxTTL:       policy.Duration(365 * 24 * time.Hour),
	QueryStrings: policy.KeyValues{Mode: policy.KeyAll},
	Cookies:      policy.KeyValues{Mode: policy.KeyNone},
	ErrorTTL:     policy.Duration(10 * time.Second),
}

// orDefault returns p, or the defaults when p is nil.
func orDefault(p *policy.CachePolicy) *policy.CachePolicy {
	if p == nil {
		return &defaultPolicy
	}
	return p
}

// nonNeg returns d as a time.Duration, 0 when negative.
func nonNeg(d policy.Duration) time.Duration {
	return max(time.Duration(d), 0)
}

// compressOn reports the policy's Compress setting (default true).
func compressOn(p *policy.CachePolicy) bool {
	return p.Compress == nil || *p.Compress
}
