package fle_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/edgeward/edgeward/keys/fle"
)

// kemTypes are the key types every round trip runs with.
var kemTypes = []string{fle.TypeX25519, fle.TypeMLKEM768X25519}

var (
	testKeysMu sync.Mutex
	testKeys   = map[string]*fle.PrivateKey{}
)

// testKey returns a key pair of type typ with id, generated once per test
// binary.
func testKey(t testing.TB, typ, id string) *fle.PrivateKey {
	t.Helper()
	testKeysMu.Lock()
	defer testKeysMu.Unlock()
	if k, ok := testKeys[typ+"/"+id]; ok {
		return k
	}
	k, err := fle.GenerateKey(typ, id)
	if err != nil {
		t.Fatal(err)
	}
	testKeys[typ+"/"+id] = k
	return k
}

// checkout is the binding most tests seal to.
var checkout = fle.Binding{Distribution: "shop", Method: "POST", Path: "/checkout/pay", Field: "card_number"}

func newEncryptor(t testing.TB, k *fle.PrivateKey) *fle.Encryptor {
	t.Helper()
	e, err := fle.NewEncryptor(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func newDecryptor(t testing.TB, keys ...*fle.PrivateKey) *fle.Decryptor {
	t.Helper()
	d, err := fle.NewDecryptor(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func seal(t testing.TB, e *fle.Encryptor, b fle.Binding, plaintext string) string {
	t.Helper()
	v, err := e.Seal(b, []byte(plaintext))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wantErr fails unless err is non-nil and its message contains every one
// of subs.
func wantErr(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one containing %q", subs)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}
