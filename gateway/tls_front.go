package gateway

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Session ticket key schedule. A key encrypts new tickets for
// tlsTicketRotation, then only decrypts; crypto/tls refuses tickets older
// than seven days, so a key is dropped once no ticket it made can be used.
const (
	tlsTicketRotation = 24 * time.Hour
	tlsTicketLifetime = tlsTicketRotation + 7*24*time.Hour
)

// errTLSNotReady fails handshakes that arrive before the first Swap.
var errTLSNotReady = errors.New("tls: no TLS configuration installed yet")

// tlsFront is the long-lived TLS side of the HTTPS listener. Its Config
// never changes; its GetConfigForClient hands each new handshake the
// config of the runtime installed last (Swap), so a reload changes
// certificates and settings for new connections while open ones keep the
// config they started with.
//
// It owns the session ticket keys and sets them on every config it
// serves, so a ticket issued under one runtime resumes under the next.
// Keys rotate lazily: the first handshake after a key has been current
// for tlsTicketRotation makes a new one; older keys still decrypt until
// tlsTicketLifetime.
type tlsFront struct {
	base *tls.Config
	now  func() time.Time

	current atomic.Pointer[tls.Config] // nil until Swap; what handshakes get
	due     atomic.Int64               // unix nanoseconds when the next key is due

	mu   sync.Mutex // serializes Swap and rotation
	rt   *tlsRuntime
	keys []tlsTicketKey // newest first
}

type tlsTicketKey struct {
	key     [32]byte
	created time.Time
}

// newTLSFront returns a front with fresh ticket keys and no runtime:
// handshakes fail until the first Swap.
func newTLSFront() *tlsFront { return newTLSFrontClock(time.Now) }

// newTLSFrontClock is newTLSFront with a clock, which times key rotation
// and ticket ages.
func newTLSFrontClock(now func() time.Time) *tlsFront {
	f := &tlsFront{now: now}
	// The base config is what net/http and tls.NewListener see; its
	// settings are the defaults so net/http's HTTP/2 checks pass, but
	// every handshake runs on the config GetConfigForClient returns.
	f.base, _ = tlsSettings(nil)
	f.base.GetConfigForClient = f.configForClient
	f.rotateLocked(now())
	return f
}

// Config is the *tls.Config for tls.NewListener or http.Server.TLSConfig.
func (f *tlsFront) Config() *tls.Config { return f.base }

// Swap installs rt's config for new handshakes; nil makes them fail.
func (f *tlsFront) Swap(rt *tlsRuntime) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rt = rt
	f.installLocked()
}

func (f *tlsFront) configForClient(*tls.ClientHelloInfo) (*tls.Config, error) {
	if now := f.now(); now.UnixNano() >= f.due.Load() {
		f.rotate(now)
	}
	cfg := f.current.Load()
	if cfg == nil {
		return nil, errTLSNotReady
	}
	return cfg, nil
}

func (f *tlsFront) rotate(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.UnixNano() < f.due.Load() {
		return // another handshake rotated first
	}
	f.rotateLocked(now)
	f.installLocked()
}

// rotateLocked puts a new key first and drops keys past their lifetime.
func (f *tlsFront) rotateLocked(now time.Time) {
	k := tlsTicketKey{created: now}
	_, _ = rand.Read(k.key[:]) // never fails (crypto/rand crashes the program instead)
	keys := []tlsTicketKey{k}
	for _, old := range f.keys {
		if now.Sub(old.created) < tlsTicketLifetime {
			keys = append(keys, old)
		}
	}
	f.keys = keys
	f.due.Store(now.Add(tlsTicketRotation).UnixNano())
}

// installLocked publishes a copy of the runtime's config with the current
// ticket keys; configs already handed to handshakes are never modified.
func (f *tlsFront) installLocked() {
	if f.rt == nil {
		f.current.Store(nil)
		return
	}
	cfg := f.rt.config.Clone()
	cfg.Time = f.now
	keys := make([][32]byte, len(f.keys))
	for i, k := range f.keys {
		keys[i] = k.key
	}
	cfg.SetSessionTicketKeys(keys)
	f.current.Store(cfg)
}
