package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/keys/fle"
	"github.com/edgeward/edgeward/policy"
)

// fleMaxInput bounds what `fle decrypt` reads from standard input (a
// variable so a test can lower it). The gateway's bodies are at most
// 16 MiB.
var fleMaxInput int64 = 64 << 20

// fleMaxKeyFile bounds a private key file: a PEM block of 32 bytes and two
// short headers is far below it.
const fleMaxKeyFile = 64 << 10

func newFLECommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fle",
		Short: "Field-level encryption: decrypt what the gateway encrypted",
	}
	cmd.AddCommand(newFLEDecryptCommand())
	return cmd
}

func newFLEDecryptCommand() *cobra.Command {
	var (
		keyArgs                                  []string
		distribution, method, path, ctype, field string
	)
	cmd := &cobra.Command{
		Use:   "decrypt --key [ID=]FILE... --distribution NAME --path /PATH [--method POST] [--content-type TYPE] [--field NAME]",
		Short: "Decrypt a request body (or one value) that field-level encryption sealed",
		Long: `Decrypt, as the origin would, the ENC:v1 values that a distribution's
fle_profile put in a request body, reading standard input (at most 64 MiB).

Each value opens only with the binding it was sealed to, so give the request's
--distribution (the distribution's name), --path (the request path the gateway
routed: percent-decoded, without the query string or the origin's path prefix)
and --method (default POST). A value moved to another field, path, method or
distribution does not open.

Without --field, standard input is a whole request body of --content-type
(default application/x-www-form-urlencoded; also multipart/form-data with its
boundary, or application/json). Every ENC:v1 value in it is decrypted in place
and the body is written to standard output; every other byte stays as it was
(a decrypted value is written in the format's plain encoding: in a form, query
escaping; in JSON, always a string, even where the client sent a number).
Standard error says how many values were decrypted. If any value does not open,
nothing is written and the command fails.

With --field NAME, standard input is one ENC:v1 value (one trailing newline is
ignored) sealed for the field NAME (for JSON, its pointer, such as
/card_number), and its plaintext is written to standard output as it is, with
no newline added.

--key names a private key file (PREFIX.pem of edgeward keys generate --type
hpke-...). The key id is the file's Key-Id header; ID=FILE gives the id of a
file without one, and is an error if the file's header names another id. Give
--key several times while keys rotate: each value names the key that opens it.

Errors name fields and key ids, never a plaintext or an encrypted value.`,
		Example: `  edgeward fle decrypt --key keys/fle1.pem --distribution shop --path /checkout/pay < body
  edgeward fle decrypt --key keys/fle1.pem --key keys/fle2.pem --distribution shop \
      --path /api/orders --content-type application/json < body.json
  printf %s "$VALUE" | edgeward fle decrypt --key keys/fle1.pem --distribution shop \
      --path /checkout/pay --field card_number`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(keyArgs) == 0 {
				return errors.New("--key is required: the private key file, such as --key keys/fle1.pem (or ID=FILE)")
			}
			if distribution == "" {
				return errors.New("--distribution is required: the name of the distribution the request went through")
			}
			if path == "" {
				return errors.New("--path is required: the request path, such as /checkout/pay")
			}
			if !strings.HasPrefix(path, "/") {
				return fmt.Errorf("--path %q: must start with /", path)
			}
			method = strings.ToUpper(strings.TrimSpace(method))
			if method == "" {
				return errors.New("--method: empty; give the request method, such as POST")
			}
			if cmd.Flags().Changed("field") && field == "" {
				return errors.New("--field: empty; give the field name (for JSON, its pointer, such as /card_number)")
			}
			if field != "" && cmd.Flags().Changed("content-type") {
				return errors.New("--content-type is for a whole body; with --field, standard input is one value")
			}
			d, err := loadFLEKeys(keyArgs)
			if err != nil {
				return err
			}
			in, err := readLimited(cmd.InOrStdin(), fleMaxInput)
			if err != nil {
				return err
			}
			b := fle.Binding{Distribution: distribution, Method: method, Path: path}
			if field != "" {
				return decryptFLEValue(cmd, d, b, field, in)
			}
			out, n, err := d.DecryptBody(ctype, in, b)
			if err != nil {
				return err
			}
			if _, err := cmd.OutOrStdout().Write(out); err != nil {
				return err
			}
			switch n {
			case 0:
				fmt.Fprintf(cmd.ErrOrStderr(), "decrypted 0 fields (no %s values in the body)\n", fle.Prefix)
			case 1:
				fmt.Fprintln(cmd.ErrOrStderr(), "decrypted 1 field")
			default:
				fmt.Fprintf(cmd.ErrOrStderr(), "decrypted %d fields\n", n)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&keyArgs, "key", nil, "a private key file, FILE or ID=FILE (repeatable: one per key id, for rotation)")
	fl.StringVar(&distribution, "distribution", "", "the name of the distribution the request went through")
	fl.StringVar(&path, "path", "", "the request path the gateway routed, such as /checkout/pay")
	fl.StringVar(&method, "method", "POST", "the request method")
	fl.StringVar(&ctype, "content-type", "application/x-www-form-urlencoded", "the body's Content-Type (multipart/form-data needs its boundary)")
	fl.StringVar(&field, "field", "", "decrypt one value, sealed for this field (for JSON, its pointer), instead of a body")
	return cmd
}

// decryptFLEValue is `fle decrypt --field`: in is one value.
func decryptFLEValue(cmd *cobra.Command, d *fle.Decryptor, b fle.Binding, field string, in []byte) error {
	in = bytes.TrimSuffix(in, []byte("\n"))
	in = bytes.TrimSuffix(in, []byte("\r"))
	if len(in) == 0 {
		return errors.New("no value on standard input: with --field, give one ENC:v1 value")
	}
	b.Field = field
	pt, err := d.Open(b, string(in))
	if err != nil {
		return err
	}
	_, err = cmd.OutOrStdout().Write(pt)
	clear(pt)
	return err
}

// loadFLEKeys reads the --key arguments into a Decryptor.
func loadFLEKeys(args []string) (*fle.Decryptor, error) {
	keys := make([]*fle.PrivateKey, 0, len(args))
	files := map[string]string{} // key id -> the --key that gave it
	for _, a := range args {
		id, file := splitKeyArg(a)
		if file == "" {
			return nil, fmt.Errorf("--key %q: no file; write FILE or ID=FILE", a)
		}
		k, err := readFLEPrivateKey(file)
		if err != nil {
			return nil, fmt.Errorf("--key %s: %w", file, err)
		}
		switch {
		case id == "" && k.ID == "":
			return nil, fmt.Errorf("--key %s: the file has no Key-Id header; give its id as ID=%s", file, file)
		case id != "" && k.ID != "" && id != k.ID:
			return nil, fmt.Errorf("--key %s: the file is the key %q (its Key-Id header), not %q", a, k.ID, id)
		case id != "":
			k.ID = id
		}
		if prev, dup := files[k.ID]; dup {
			return nil, fmt.Errorf("--key %s and --key %s both have the key id %q; one id names one key", prev, a, k.ID)
		}
		files[k.ID] = a
		keys = append(keys, k)
	}
	return fle.NewDecryptor(keys...)
}

// splitKeyArg splits a --key argument: ID=FILE when the text before the
// first '=' is a valid key id, else all of it is FILE (so a path such as
// ./a=b.pem needs no quoting beyond its "./").
func splitKeyArg(a string) (id, file string) {
	if before, after, ok := strings.Cut(a, "="); ok && fle.CheckKeyID(before) == nil {
		return before, after
	}
	return "", a
}

func readFLEPrivateKey(file string) (*fle.PrivateKey, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, fleMaxKeyFile+1))
	if err != nil {
		return nil, err
	}
	defer clear(data)
	if len(data) > fleMaxKeyFile {
		return nil, fmt.Errorf("over %s: not a key file", policy.ByteSize(fleMaxKeyFile))
	}
	return fle.ParsePrivateKeyPEM(data)
}

// readLimited reads all of r, failing if it holds more than max bytes.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("standard input is over %s; fle decrypt reads at most that", policy.ByteSize(max))
	}
	return data, nil
}
