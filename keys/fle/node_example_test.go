package fle_test

// Tests the Node.js origin example (examples/node/decrypt.js) against the FLE
// spec: key files and ENC:v1 values are made here with crypto/hpke directly,
// independently of package fle, and also with package fle's WriteKeyPair and
// Encryptor; a small Node driver decrypts them, as single values and in
// urlencoded forms, for both KEMs. Needs node and the
// example's node_modules (`make node-example`); skipped without them unless CI
// or EDGEWARD_REQUIRE_TOOLS=1 is set.

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/hpke"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeward/edgeward/keys/fle"
)

// nodeDriver decrypts what a job file lists with decrypt.js and prints the
// results as JSON.
const nodeDriver = `'use strict';
const fs = require('node:fs');
const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const fle = require(job.module);
const fail = (e) => ({ ok: false, code: e.code === undefined ? 'not-a-DecryptError' : e.code, error: String(e.message) });
(async () => {
  const privateKeys = fle.loadPrivateKeys(job.keys);
  const out = { values: [], forms: [] };
  for (const c of job.values) {
    try {
      const pt = await fle.decryptValue(c.value, { privateKeys, ...c.binding });
      out.values.push({ ok: true, plaintext: pt.toString('base64') });
    } catch (e) { out.values.push(fail(e)); }
  }
  for (const f of job.forms) {
    try {
      const form = await fle.decryptForm(f.body, { privateKeys, ...f.binding, requireEncrypted: f.requireEncrypted });
      out.forms.push({ ok: true, fields: [...form] });
    } catch (e) { out.forms.push(fail(e)); }
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`

const nodeInfo = "edgeward-fle/v1"

// nodeBinding is the spec's binding minus the key id; its JSON is what
// decryptValue and decryptForm take.
type nodeBinding struct {
	Distribution string `json:"distribution"`
	Method       string `json:"method"`
	Path         string `json:"path"`
	Field        string `json:"field,omitempty"`
}

type nodeKeyFile struct {
	Path string `json:"path"`
	ID   string `json:"id,omitempty"`
}

type nodeValueCase struct {
	Value   string      `json:"value"`
	Binding nodeBinding `json:"binding"`
}

type nodeFormCase struct {
	Body             string      `json:"body"`
	Binding          nodeBinding `json:"binding"`
	RequireEncrypted []string    `json:"requireEncrypted,omitempty"`
}

type nodeJob struct {
	Module string          `json:"module"`
	Keys   []nodeKeyFile   `json:"keys"`
	Values []nodeValueCase `json:"values"`
	Forms  []nodeFormCase  `json:"forms"`
}

type nodeResult struct {
	OK        bool        `json:"ok"`
	Plaintext []byte      `json:"plaintext"` // base64 in JSON
	Fields    [][2]string `json:"fields"`
	Code      string      `json:"code"`
	Error     string      `json:"error"`
}

type nodeResults struct {
	Values []nodeResult `json:"values"`
	Forms  []nodeResult `json:"forms"`
}

// nodeExampleDir returns the example's absolute directory, or skips (fails
// under CI) when node or its node_modules is missing.
func nodeExampleDir(t *testing.T) (node, dir string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("examples", "node"))
	if err != nil {
		t.Fatal(err)
	}
	node, err = exec.LookPath("node")
	if err == nil {
		for _, pkg := range []string{"@hpke/core", "@hpke/dhkem-x25519", "@hpke/hybridkem-x-wing"} {
			if _, err = os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
				break
			}
		}
	}
	if err != nil {
		msg := fmt.Sprintf("the Node.js example needs node and its node_modules: run `make node-example` (%v)", err)
		if os.Getenv("CI") != "" || os.Getenv("EDGEWARD_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node, dir
}

// nodeKeyPair makes a key pair and writes its private key file as the spec
// says (block HPKE PRIVATE KEY, KEM-ID and, if id is not empty, Key-Id).
func nodeKeyPair(t *testing.T, kem hpke.KEM, id, path string) hpke.PublicKey {
	t.Helper()
	priv, err := kem.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := priv.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	headers := map[string]string{"KEM-ID": fmt.Sprintf("0x%04x", kem.ID())}
	if id != "" {
		headers["Key-Id"] = id
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "HPKE PRIVATE KEY", Headers: headers, Bytes: raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return priv.PublicKey()
}

// nodeAAD is the spec's AAD: key id, distribution, method, path, field, each
// as a 2-byte big-endian length and its bytes.
func nodeAAD(t *testing.T, keyID string, b nodeBinding) []byte {
	t.Helper()
	var aad []byte
	for _, c := range []string{keyID, b.Distribution, b.Method, b.Path, b.Field} {
		if len(c) > 0xffff {
			t.Fatalf("binding component of %d bytes", len(c))
		}
		aad = binary.BigEndian.AppendUint16(aad, uint16(len(c)))
		aad = append(aad, c...)
	}
	return aad
}

// nodeSeal makes an ENC:v1 value as the spec says.
func nodeSeal(t *testing.T, pub hpke.PublicKey, keyID string, b nodeBinding, plaintext []byte) string {
	t.Helper()
	enc, s, err := hpke.NewSender(pub, hpke.HKDFSHA256(), hpke.AES256GCM(), []byte(nodeInfo))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := s.Seal(nodeAAD(t, keyID, b), plaintext)
	if err != nil {
		t.Fatal(err)
	}
	return "ENC:v1:" + keyID + ":" + base64.RawURLEncoding.EncodeToString(append(enc, ct...))
}

// runNode runs the driver on job and returns its results.
func runNode(t *testing.T, node string, job nodeJob) nodeResults {
	t.Helper()
	tmp := t.TempDir()
	driver := filepath.Join(tmp, "driver.js")
	jobFile := filepath.Join(tmp, "job.json")
	data, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(driver, []byte(nodeDriver), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jobFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, driver, jobFile)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node driver: %v\n%s", err, stderr.String())
	}
	var res nodeResults
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("node driver output: %v\n%s", err, stdout.String())
	}
	if len(res.Values) != len(job.Values) || len(res.Forms) != len(job.Forms) {
		t.Fatalf("node driver returned %d values and %d forms for %d and %d",
			len(res.Values), len(res.Forms), len(job.Values), len(job.Forms))
	}
	return res
}

// nodeSealer seals a value for a binding with a key pair's public key.
type nodeSealer func(t *testing.T, b nodeBinding, plaintext []byte) string

// nodeExpect is one value case: want is the plaintext, or nil when decryption
// must fail with code.
type nodeExpect struct {
	name   string
	value  nodeValueCase
	want   []byte
	code   string
	secret []byte // must not appear in an error
}

func TestNodeExample(t *testing.T) {
	node, dir := nodeExampleDir(t)
	module := filepath.Join(dir, "decrypt.js")
	for _, k := range []struct {
		name string
		kem  hpke.KEM
	}{
		{"x25519", hpke.DHKEM(ecdh.X25519())},
		{"xwing", hpke.MLKEM768X25519()},
	} {
		t.Run(k.name, func(t *testing.T) {
			keys := t.TempDir()
			// Two live keys (rotation) and one whose file has no Key-Id header.
			idA, idB, idC := "fle-"+k.name+".2026-11", "fle-"+k.name+".2026-12", "fle_"+k.name+"_noid"
			pubA := nodeKeyPair(t, k.kem, idA, filepath.Join(keys, "a.pem"))
			pubB := nodeKeyPair(t, k.kem, idB, filepath.Join(keys, "b.pem"))
			pubC := nodeKeyPair(t, k.kem, "", filepath.Join(keys, "c.pem"))
			sealWith := func(pub hpke.PublicKey, id string) nodeSealer {
				return func(t *testing.T, b nodeBinding, pt []byte) string { return nodeSeal(t, pub, id, b, pt) }
			}
			job := nodeJob{Module: module, Keys: []nodeKeyFile{
				{Path: filepath.Join(keys, "a.pem")},
				{Path: filepath.Join(keys, "b.pem")},
				{Path: filepath.Join(keys, "c.pem"), ID: idC},
			}}
			runNodeCases(t, node, job, []nodeSealer{sealWith(pubA, idA), sealWith(pubB, idB), sealWith(pubC, idC)})
		})
	}
	// The same with package fle's key files (WriteKeyPair) and Encryptor.
	for _, typ := range []string{fle.TypeX25519, fle.TypeMLKEM768X25519} {
		t.Run("fle.NewEncryptor/"+typ, func(t *testing.T) {
			keys := t.TempDir()
			var job nodeJob
			job.Module = module
			var sealers []nodeSealer
			for _, id := range []string{"fle-a." + typ, "fle-b." + typ, ""} {
				priv, err := fle.GenerateKey(typ, id)
				if err != nil {
					t.Fatal(err)
				}
				privPath, _, err := fle.WriteKeyPair(filepath.Join(keys, fmt.Sprint(len(sealers))), priv)
				if err != nil {
					t.Fatal(err)
				}
				pub, file := priv.Public(), nodeKeyFile{Path: privPath}
				if id == "" { // a key file without Key-Id: the origin names it
					pub.ID, file.ID = "fle_c_noid", "fle_c_noid"
				}
				job.Keys = append(job.Keys, file)
				e, err := fle.NewEncryptor(pub)
				if err != nil {
					t.Fatal(err)
				}
				sealers = append(sealers, func(t *testing.T, b nodeBinding, pt []byte) string {
					v, err := e.Seal(fle.Binding{Distribution: b.Distribution, Method: b.Method, Path: b.Path, Field: b.Field}, pt)
					if err != nil {
						t.Fatal(err)
					}
					return v
				})
			}
			runNodeCases(t, node, job, sealers)
		})
	}
}

// runNodeCases seals values and forms with the sealers (the first is the
// main key, the others further live keys) and checks what Node makes of them.
func runNodeCases(t *testing.T, node string, job nodeJob, sealers []nodeSealer) {
	t.Helper()
	seal := sealers[0]
	at := func(field string) nodeBinding {
		return nodeBinding{Distribution: "shop", Method: "POST", Path: "/checkout/pay", Field: field}
	}
	card := []byte("4111 1111 1111 1111")
	binary256 := make([]byte, 256)
	for i := range binary256 {
		binary256[i] = byte(i)
	}
	long := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	cardValue := seal(t, at("card_number"), card)
	colon := strings.LastIndexByte(cardValue, ':')
	sealed, err := base64.RawURLEncoding.DecodeString(cardValue[colon+1:])
	if err != nil {
		t.Fatal(err)
	}
	sealed[len(sealed)-20] ^= 1 // a ciphertext byte
	tampered := cardValue[:colon+1] + base64.RawURLEncoding.EncodeToString(sealed)

	moved := func(b nodeBinding, change func(*nodeBinding)) nodeBinding { change(&b); return b }
	cases := []nodeExpect{
		{name: "card", value: nodeValueCase{cardValue, at("card_number")}, want: card},
		{name: "empty", value: nodeValueCase{seal(t, at("note"), nil), at("note")}, want: []byte{}},
		{name: "utf-8", value: nodeValueCase{seal(t, at("name"), []byte("Zoë 🙂 Ünal")), at("name")}, want: []byte("Zoë 🙂 Ünal")},
		{name: "binary", value: nodeValueCase{seal(t, at("blob"), binary256), at("blob")}, want: binary256},
		{name: "64KiB", value: nodeValueCase{seal(t, at("doc"), long), at("doc")}, want: long},
		{name: "json pointer", value: nodeValueCase{seal(t, at("/payment/card"), card), at("/payment/card")}, want: card},
		{name: "unicode field", value: nodeValueCase{seal(t, at("kärtchen[nr]"), card), at("kärtchen[nr]")}, want: card},
		{name: "second key", value: nodeValueCase{sealers[1](t, at("cvv"), []byte("123")), at("cvv")}, want: []byte("123")},
		{name: "key without Key-Id header", value: nodeValueCase{sealers[2](t, at("cvv"), []byte("321")), at("cvv")}, want: []byte("321")},
		// The binding: the same value anywhere else does not decrypt.
		{name: "moved to another field", value: nodeValueCase{cardValue, at("cvv")}, code: "open", secret: card},
		{name: "moved to a json pointer", value: nodeValueCase{cardValue, at("/card_number")}, code: "open", secret: card},
		{name: "another path", value: nodeValueCase{cardValue, moved(at("card_number"), func(b *nodeBinding) { b.Path = "/checkout/pay2" })}, code: "open", secret: card},
		{name: "another method", value: nodeValueCase{cardValue, moved(at("card_number"), func(b *nodeBinding) { b.Method = "PUT" })}, code: "open", secret: card},
		{name: "another distribution", value: nodeValueCase{cardValue, moved(at("card_number"), func(b *nodeBinding) { b.Distribution = "shop2" })}, code: "open", secret: card},
		{name: "tampered", value: nodeValueCase{tampered, at("card_number")}, code: "open", secret: card},
		{name: "unknown key", value: nodeValueCase{strings.Replace(cardValue, ":fle-", ":other-", 1), at("card_number")}, code: "unknown-key"},
		{name: "not base64url", value: nodeValueCase{cardValue + "=", at("card_number")}, code: "malformed"},
		{name: "truncated", value: nodeValueCase{cardValue[:colon+21], at("card_number")}, code: "malformed"},
		{name: "not ENC", value: nodeValueCase{"4111", at("card_number")}, code: "malformed"},
	}
	for _, c := range cases {
		job.Values = append(job.Values, c.value)
	}

	// Forms: names and plain values percent-decoded, each ENC value bound to
	// its own decoded name.
	cvv := seal(t, at("cvv"), []byte("123"))
	bracket := seal(t, at("card[exp]"), []byte("12/29"))
	form := "card_number=" + cardValue + "&name=J%C3%B6rg+M%C3%BCller&card%5Bexp%5D=" + bracket + "&cvv=" + cvv + "&flag"
	wantForm := [][2]string{{"card_number", "4111 1111 1111 1111"}, {"name", "Jörg Müller"}, {"card[exp]", "12/29"}, {"cvv", "123"}, {"flag", ""}}
	swapped := "card_number=" + cvv + "&cvv=" + cardValue
	formCases := []struct {
		name string
		form nodeFormCase
		want [][2]string
		code string
	}{
		{"form", nodeFormCase{Body: form, Binding: at(""), RequireEncrypted: []string{"card_number", "cvv"}}, wantForm, ""},
		{"swapped fields", nodeFormCase{Body: swapped, Binding: at("")}, nil, "open"},
		{"form on another path", nodeFormCase{Body: form, Binding: moved(at(""), func(b *nodeBinding) { b.Path = "/other" })}, nil, "open"},
		{"required field not encrypted", nodeFormCase{Body: "card_number=4111&cvv=" + cvv, Binding: at(""), RequireEncrypted: []string{"card_number"}}, nil, "malformed"},
		{"bad escape", nodeFormCase{Body: "a=%zz&cvv=" + cvv, Binding: at("")}, nil, "malformed"},
	}
	for _, c := range formCases {
		job.Forms = append(job.Forms, c.form)
	}

	res := runNode(t, node, job)
	for i, c := range cases {
		got := res.Values[i]
		switch {
		case c.want != nil && !got.OK:
			t.Errorf("%s: node failed (%s): %s", c.name, got.Code, got.Error)
		case c.want != nil && !bytes.Equal(got.Plaintext, c.want):
			t.Errorf("%s: node decrypted %d bytes %.40q, want %d bytes %.40q", c.name, len(got.Plaintext), got.Plaintext, len(c.want), c.want)
		case c.want == nil && got.OK:
			t.Errorf("%s: node decrypted it; want a %s error", c.name, c.code)
		case c.want == nil && got.Code != c.code:
			t.Errorf("%s: node error %s (%s), want code %s", c.name, got.Code, got.Error, c.code)
		case c.secret != nil && strings.Contains(got.Error, string(c.secret)):
			t.Errorf("%s: the error contains the plaintext: %s", c.name, got.Error)
		default:
			t.Logf("%s: ok %s", c.name, got.Error)
		}
	}
	for i, c := range formCases {
		got := res.Forms[i]
		switch {
		case c.want != nil && !got.OK:
			t.Errorf("%s: node failed (%s): %s", c.name, got.Code, got.Error)
		case c.want != nil && fmt.Sprint(got.Fields) != fmt.Sprint(c.want):
			t.Errorf("%s: node decrypted %q, want %q", c.name, got.Fields, c.want)
		case c.want == nil && got.OK:
			t.Errorf("%s: node decrypted it; want a %s error", c.name, c.code)
		case c.want == nil && got.Code != c.code:
			t.Errorf("%s: node error %s (%s), want code %s", c.name, got.Code, got.Error, c.code)
		case strings.Contains(got.Error, string(card)):
			t.Errorf("%s: the error contains the plaintext: %s", c.name, got.Error)
		default:
			t.Logf("%s: ok %s", c.name, got.Error)
		}
	}
}
