package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"mime/multipart"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/edgeward/edgeward/keys/fle"
	"github.com/edgeward/edgeward/policy"
)

// runCLIIn is runCLI with stdin as standard input.
func runCLIIn(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := newRootCommand()
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	err := cmd.Execute()
	var ee exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.code
	default:
		code = 1
		errb.WriteString(err.Error())
	}
	return out.String(), errb.String(), code
}

// cliKey generates a key pair through `keys generate` and returns the
// private key's path and an Encryptor for the public one.
func cliKey(t *testing.T, dir, typ, id string) (string, *fle.Encryptor) {
	t.Helper()
	prefix := filepath.Join(dir, id)
	if out, errOut, code := runCLI(t, "keys", "generate", "--type", typ, "--id", id, "--out", prefix); code != 0 {
		t.Fatalf("keys generate: exit %d: %s %s", code, out, errOut)
	}
	data, err := os.ReadFile(prefix + ".pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := fle.ParsePublicKeyPEM(data)
	if err != nil {
		t.Fatal(err)
	}
	e, err := fle.NewEncryptor(pub)
	if err != nil {
		t.Fatal(err)
	}
	return prefix + ".pem", e
}

func sealFor(t *testing.T, e *fle.Encryptor, b fle.Binding, field, plaintext string) string {
	t.Helper()
	b.Field = field
	v, err := e.Seal(b, []byte(plaintext))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var shopPay = fle.Binding{Distribution: "shop", Method: "POST", Path: "/checkout/pay"}

func shopArgs(key string, more ...string) []string {
	return append([]string{"fle", "decrypt", "--key", key, "--distribution", "shop", "--path", "/checkout/pay"}, more...)
}

const (
	card = "4111 1111 1111 1111"
	nid  = "AB-123/456 ünï"
)

func TestFLEDecryptBodies(t *testing.T) {
	for _, typ := range []string{fle.TypeX25519, fle.TypeMLKEM768X25519} {
		t.Run(typ, func(t *testing.T) {
			key, e := cliKey(t, t.TempDir(), typ, "fle1")

			t.Run("urlencoded", func(t *testing.T) {
				body := "name=Ann+Lee&card_number=" + sealFor(t, e, shopPay, "card_number", card) +
					"&national+id=" + sealFor(t, e, shopPay, "national id", nid) + "&note=hi%20there"
				out, errOut, code := runCLIIn(t, body, shopArgs(key)...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				got, err := url.ParseQuery(out)
				if err != nil {
					t.Fatal(err)
				}
				want := url.Values{"name": {"Ann Lee"}, "card_number": {card}, "national id": {nid}, "note": {"hi there"}}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
				if !strings.HasPrefix(out, "name=Ann+Lee&card_number=") || !strings.HasSuffix(out, "&note=hi%20there") {
					t.Errorf("the other bytes changed: %q", out)
				}
				if errOut != "decrypted 2 fields\n" {
					t.Errorf("stderr %q", errOut)
				}
			})

			t.Run("multipart", func(t *testing.T) {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				mw.WriteField("name", "Ann")
				mw.WriteField("card_number", sealFor(t, e, shopPay, "card_number", card))
				mw.WriteField("nid", sealFor(t, e, shopPay, "nid", nid))
				mw.Close()
				ctype := mw.FormDataContentType()
				out, errOut, code := runCLIIn(t, buf.String(), shopArgs(key, "--content-type", ctype)...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				_, params, _ := mime.ParseMediaType(ctype)
				form, err := multipart.NewReader(strings.NewReader(out), params["boundary"]).ReadForm(1 << 20)
				if err != nil {
					t.Fatal(err)
				}
				want := map[string][]string{"name": {"Ann"}, "card_number": {card}, "nid": {nid}}
				if !reflect.DeepEqual(form.Value, want) {
					t.Errorf("got %v, want %v", form.Value, want)
				}
				if errOut != "decrypted 2 fields\n" {
					t.Errorf("stderr %q", errOut)
				}
			})

			t.Run("json", func(t *testing.T) {
				orders := fle.Binding{Distribution: "shop", Method: "PUT", Path: "/api/orders/7"}
				body := `{"name": "Ann", "card": {"number": "` + sealFor(t, e, orders, "/card/number", card) +
					`"}, "ids": [1, "` + sealFor(t, e, orders, "/ids/1", nid) + `"]}`
				out, errOut, code := runCLIIn(t, body, "fle", "decrypt", "--key", key, "--distribution", "shop",
					"--path", "/api/orders/7", "--method", "put", "--content-type", "application/json; charset=utf-8")
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				var got any
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
				want := map[string]any{"name": "Ann", "card": map[string]any{"number": card}, "ids": []any{1.0, nid}}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})

			t.Run("field", func(t *testing.T) {
				v := sealFor(t, e, shopPay, "card_number", card)
				for _, in := range []string{v, v + "\n", v + "\r\n"} {
					out, errOut, code := runCLIIn(t, in, shopArgs(key, "--field", "card_number")...)
					if code != 0 || out != card {
						t.Errorf("exit %d, out %q, err %q", code, out, errOut)
					}
				}
			})
		})
	}
}

func TestFLEDecryptNothingToDecrypt(t *testing.T) {
	key, _ := cliKey(t, t.TempDir(), fle.TypeX25519, "fle1")
	out, errOut, code := runCLIIn(t, "a=1&b=2", shopArgs(key)...)
	if code != 0 || out != "a=1&b=2" || !strings.HasPrefix(errOut, "decrypted 0 fields") {
		t.Errorf("exit %d, out %q, err %q", code, out, errOut)
	}
}

// TestFLEDecryptRotation: with both keys given, values sealed to the old
// and the new key open; with one, the other's values are an unknown key.
func TestFLEDecryptRotation(t *testing.T) {
	dir := t.TempDir()
	oldKey, oldE := cliKey(t, dir, fle.TypeX25519, "fle-old")
	newKey, newE := cliKey(t, dir, fle.TypeMLKEM768X25519, "fle-new")
	body := "a=" + sealFor(t, oldE, shopPay, "a", "old secret") + "&b=" + sealFor(t, newE, shopPay, "b", "new secret")

	out, errOut, code := runCLIIn(t, body, "fle", "decrypt", "--key", oldKey, "--key", newKey,
		"--distribution", "shop", "--path", "/checkout/pay")
	if code != 0 || out != "a=old+secret&b=new+secret" || errOut != "decrypted 2 fields\n" {
		t.Errorf("exit %d, out %q, err %q", code, out, errOut)
	}

	out, errOut, code = runCLIIn(t, body, shopArgs(newKey)...)
	if code == 0 || out != "" || !strings.Contains(errOut, "unknown key id") || !strings.Contains(errOut, `"fle-old"`) {
		t.Errorf("without the old key: exit %d, out %q, err %q", code, out, errOut)
	}
}

// TestFLEDecryptKeyIDs: --key ID=FILE gives the id of a file without a
// Key-Id header and must agree with one that has it.
func TestFLEDecryptKeyIDs(t *testing.T) {
	dir := t.TempDir()
	k, err := fle.GenerateKey(fle.TypeX25519, "")
	if err != nil {
		t.Fatal(err)
	}
	noID := filepath.Join(dir, "noid")
	if _, _, err := fle.WriteKeyPair(noID, k); err != nil {
		t.Fatal(err)
	}
	pub := k.Public()
	pub.ID = "given"
	e, err := fle.NewEncryptor(pub)
	if err != nil {
		t.Fatal(err)
	}
	v := sealFor(t, e, shopPay, "f", "plain")

	if out, errOut, code := runCLIIn(t, v, shopArgs("given="+noID+".pem", "--field", "f")...); code != 0 || out != "plain" {
		t.Errorf("ID=FILE: exit %d, out %q, err %q", code, out, errOut)
	}
	if _, errOut, code := runCLIIn(t, v, shopArgs(noID+".pem", "--field", "f")...); code == 0 || !strings.Contains(errOut, "no Key-Id header") {
		t.Errorf("no id: exit %d, err %q", code, errOut)
	}

	withID, e2 := cliKey(t, dir, fle.TypeX25519, "fle1")
	v2 := sealFor(t, e2, shopPay, "f", "plain")
	if out, errOut, code := runCLIIn(t, v2, shopArgs("fle1="+withID, "--field", "f")...); code != 0 || out != "plain" {
		t.Errorf("matching ID=FILE: exit %d, out %q, err %q", code, out, errOut)
	}
	if _, errOut, code := runCLIIn(t, v2, shopArgs("other="+withID, "--field", "f")...); code == 0 || !strings.Contains(errOut, `the key "fle1"`) {
		t.Errorf("contradicting ID=FILE: exit %d, err %q", code, errOut)
	}
	// A file name with '=' whose head is not a key id is a file name.
	odd := filepath.Join(dir, "a=b.pem")
	data, _ := os.ReadFile(withID)
	if err := os.WriteFile(odd, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := runCLIIn(t, v2, shopArgs(odd, "--field", "f")...); code != 0 || out != "plain" {
		t.Errorf("file name with '=': exit %d, out %q, err %q", code, out, errOut)
	}
	// The same key twice.
	if _, errOut, code := runCLIIn(t, v2, shopArgs(withID, "--key", odd, "--field", "f")...); code == 0 || !strings.Contains(errOut, "both have the key id") {
		t.Errorf("duplicate id: exit %d, err %q", code, errOut)
	}
}

// TestFLEDecryptFailures: every failure exits non-zero, writes nothing to
// standard output and never shows a plaintext or the encrypted value.
func TestFLEDecryptFailures(t *testing.T) {
	dir := t.TempDir()
	key, e := cliKey(t, dir, fle.TypeX25519, "fle1")
	_, other := cliKey(t, dir, fle.TypeX25519, "fle9")
	v := sealFor(t, e, shopPay, "card_number", card)
	body := "card_number=" + v
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rsaKey := "../../testdata/quickstart/keys/demo.pem"
	i := len(v) - 10 // a byte of the ciphertext
	flip := "A"
	if v[i] == 'A' {
		flip = "B"
	}
	tampered := "card_number=" + v[:i] + flip + v[i+1:]

	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"wrong distribution", body, []string{"fle", "decrypt", "--key", key, "--distribution", "other", "--path", "/checkout/pay"}, "does not open"},
		{"wrong path", body, []string{"fle", "decrypt", "--key", key, "--distribution", "shop", "--path", "/checkout/pay/"}, "does not open"},
		{"wrong method", body, shopArgs(key, "--method", "PUT"), "does not open"},
		{"wrong field", v, shopArgs(key, "--field", "comment"), "does not open"},
		{"tampered", tampered, shopArgs(key), "does not open"},
		{"unknown key id", "card_number=" + sealFor(t, other, shopPay, "card_number", card), shopArgs(key), `unknown key id: no private key has the id "fle9"`},
		{"malformed value", "card_number=ENC:v1:fle1:xyz", shopArgs(key), "malformed"},
		{"field not a value", card, shopArgs(key, "--field", "card_number"), "does not start with"},
		{"field empty stdin", "\n", shopArgs(key, "--field", "card_number"), "no value on standard input"},
		{"no key", body, []string{"fle", "decrypt", "--distribution", "shop", "--path", "/checkout/pay"}, "--key is required"},
		{"no distribution", body, []string{"fle", "decrypt", "--key", key, "--path", "/checkout/pay"}, "--distribution is required"},
		{"no path", body, []string{"fle", "decrypt", "--key", key, "--distribution", "shop"}, "--path is required"},
		{"relative path", body, []string{"fle", "decrypt", "--key", key, "--distribution", "shop", "--path", "checkout/pay"}, "must start with /"},
		{"empty method", body, shopArgs(key, "--method", " "), "--method"},
		{"missing key file", body, shopArgs(filepath.Join(dir, "nope.pem")), "no such file"},
		{"public key file", body, shopArgs(strings.TrimSuffix(key, ".pem") + ".pub.pem"), "the private key"},
		{"rsa key file", body, shopArgs(rsaKey), "not an HPKE key"},
		{"garbage key file", body, shopArgs(write("junk.pem", "not a key\n")), "no PEM block"},
		{"huge key file", body, shopArgs(write("huge.pem", strings.Repeat("x", fleMaxKeyFile+1))), "not a key file"},
		{"empty key arg", body, shopArgs("fle1="), "no file"},
		{"bad content type", body, shopArgs(key, "--content-type", "text/plain"), "not a urlencoded form"},
		{"multipart without boundary", body, shopArgs(key, "--content-type", "multipart/form-data"), "decrypt body"},
		{"content type with field", v, shopArgs(key, "--field", "card_number", "--content-type", "application/json"), "--content-type is for a whole body"},
		{"unknown flag", body, shopArgs(key, "--nope"), "unknown flag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLIIn(t, tc.stdin, tc.args...)
			if code == 0 {
				t.Fatalf("exit 0; out %q", out)
			}
			if out != "" {
				t.Errorf("wrote to standard output: %q", out)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("error %q lacks %q", errOut, tc.want)
			}
			for _, secret := range []string{card, "4111", url.QueryEscape(card), v[len(fle.Prefix)+5:]} {
				if strings.Contains(errOut, secret) {
					t.Errorf("error shows %q: %s", secret, errOut)
				}
			}
		})
	}
}

func TestFLEDecryptInputLimit(t *testing.T) {
	key, e := cliKey(t, t.TempDir(), fle.TypeX25519, "fle1")
	body := "card_number=" + sealFor(t, e, shopPay, "card_number", card)
	defer func(old int64) { fleMaxInput = old }(fleMaxInput)
	fleMaxInput = int64(len(body))
	if out, errOut, code := runCLIIn(t, body, shopArgs(key)...); code != 0 || out != "card_number=4111+1111+1111+1111" {
		t.Errorf("at the limit: exit %d, out %q, err %q", code, out, errOut)
	}
	fleMaxInput = int64(len(body)) - 1
	out, errOut, code := runCLIIn(t, body, shopArgs(key)...)
	if code == 0 || out != "" || !strings.Contains(errOut, "standard input is over") {
		t.Errorf("over the limit: exit %d, out %q, err %q", code, out, errOut)
	}
	fleMaxInput = 64 << 20
	if _, errOut, _ := runCLIIn(t, strings.Repeat("a", 10), shopArgs(key)...); errOut != "decrypted 0 fields (no ENC:v1: values in the body)\n" {
		t.Errorf("default limit: %q", errOut)
	}
	if limit := policy.ByteSize(len(body) - 1).String(); !strings.Contains(errOut, "is over "+limit) {
		t.Errorf("the error %q does not name the limit %s", errOut, limit)
	}
}

// TestFLEHelp: the fle group is on the root's help and decrypt's usage
// line is what the docs show.
func TestFLEHelp(t *testing.T) {
	out, _, code := runCLI(t, "--help")
	if code != 0 || !strings.Contains(out, "\n  fle ") {
		t.Errorf("root help lacks fle (exit %d):\n%s", code, out)
	}
	out, _, code = runCLI(t, "fle", "decrypt", "--help")
	want := "edgeward fle decrypt --key [ID=]FILE... --distribution NAME --path /PATH [--method POST] [--content-type TYPE] [--field NAME]"
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("decrypt help lacks %q (exit %d):\n%s", want, code, out)
	}
}
