package main

import (
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/keys"
	"github.com/edgeward/edgeward/keys/fle"
	"github.com/edgeward/edgeward/keys/keyfile"
)

func newKeysCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Make signing and encryption keys, and key sets",
	}
	cmd.AddCommand(newKeysGenerateCommand(), newKeysJWKSCommand())
	return cmd
}

// keyTypes are the --type values of `keys generate`, in the order help
// and errors list them.
var keyTypes = []string{string(keyfile.RSA), string(keyfile.ECDSA), string(keyfile.Ed25519), fle.TypeX25519, fle.TypeMLKEM768X25519}

func isHPKEType(typ string) bool { return typ == fle.TypeX25519 || typ == fle.TypeMLKEM768X25519 }

func newKeysGenerateCommand() *cobra.Command {
	var typ, id, out string
	cmd := &cobra.Command{
		Use:   "generate --type rsa|ecdsa|ed25519|hpke-x25519|hpke-mlkem768x25519 --out PREFIX [--id KEY_ID]",
		Short: "Generate a key pair: PREFIX.pem (private, mode 0600) and PREFIX.pub.pem",
		Long: `Generate a key pair for signing URLs, cookies or tokens, or for field-level
encryption.

  rsa                  RSA 2048, what CloudFront signed URLs use (SHA-1 or SHA-256)
  ecdsa                ECDSA P-256, smaller and faster signed URLs (SHA-1 or SHA-256)
  ed25519              Ed25519, for JWT tokens (EdDSA) only
  hpke-x25519          HPKE with X25519, for field-level encryption (fle_profiles);
                       small ciphertexts (a card number becomes about 110 characters)
  hpke-mlkem768x25519  HPKE with ML-KEM-768+X25519 ("X-Wing"), a post-quantum
                       hybrid, secure while either half holds, for field-level
                       encryption; larger ciphertexts, about 1.5 KiB per field

PREFIX.pem holds the private key (created with mode 0600; an existing file is
never overwritten). PREFIX.pub.pem holds the public key, which goes in the
gateway's key_groups (signing) or fle_profiles (encryption). --id prints the
config lines for that key id.

For the hpke types --id is required: the id is written into both files (their
Key-Id header) and into every value encrypted to the key, and names the private
key that opens it (edgeward fle decrypt), which is how keys rotate. Key ids are
1 to 64 characters of A-Z a-z 0-9 . _ -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required: the path prefix of the files to write, such as keys/k2")
			}
			if !slices.Contains(keyTypes, typ) {
				return fmt.Errorf("--type %q is not a key type; use %s", typ, strings.Join(keyTypes, ", "))
			}
			if isHPKEType(typ) {
				return generateHPKEKey(cmd, typ, id, out)
			}
			if id != "" {
				if err := keys.CheckKeyID(id); err != nil {
					return fmt.Errorf("--id: %w", err)
				}
			}
			k, err := keyfile.Generate(keyfile.Type(typ))
			if err != nil {
				return err
			}
			priv, pub, err := keyfile.WriteKeyPair(out, k)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %s (private key, keep it secret) and %s (public key)\n", priv, pub)
			if id != "" && typ != "ed25519" {
				fmt.Fprintf(w, "\nkey_groups:\n  GROUP:\n    - id: %s\n      public_key: %s\n", id, pub)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&typ, "type", "rsa", "key type: "+strings.Join(keyTypes, ", "))
	cmd.Flags().StringVar(&id, "id", "", "the key id: for signing keys, the Key-Pair-Id to print config lines for; required for hpke keys")
	cmd.Flags().StringVar(&out, "out", "", "path prefix of the files to write")
	return cmd
}

// generateHPKEKey is `keys generate` for the field-level encryption types.
func generateHPKEKey(cmd *cobra.Command, typ, id, out string) error {
	if id == "" {
		return fmt.Errorf("--id is required for --type %s: the key id goes into the key files and every encrypted value, such as --id fle-2025-01", typ)
	}
	if err := fle.CheckKeyID(id); err != nil {
		return fmt.Errorf("--id: %w", err)
	}
	k, err := fle.GenerateKey(typ, id)
	if err != nil {
		return err
	}
	priv, pub, err := fle.WriteKeyPair(out, k)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "wrote %s (private key of %s, keep it secret: the origin decrypts with it) and %s (public key, for the gateway)\n", priv, id, pub)
	fmt.Fprintf(w, "\nfle_profiles:\n  PROFILE:\n    key_id: %s\n    public_key: %s\n    fields: [FIELD]\n", id, pub)
	fmt.Fprintf(w, "\nthen fle_profile: PROFILE on the behaviors that receive those fields, and at the origin:\n  edgeward fle decrypt --key %s --distribution NAME --path /PATH < body\n", priv)
	return nil
}

func newKeysJWKSCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "jwks KID=PUBLIC_KEY.pem... [--out FILE]",
		Short: "Write a JSON Web Key Set of public keys, for signed.token.jwks",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set := map[string]crypto.PublicKey{}
			for _, a := range args {
				kid, file, ok := strings.Cut(a, "=")
				if !ok || kid == "" || file == "" {
					return fmt.Errorf("%q: write KID=FILE, such as t1=keys/t1.pub.pem", a)
				}
				if _, dup := set[kid]; dup {
					return fmt.Errorf("kid %q is given twice", kid)
				}
				data, err := os.ReadFile(file)
				if err != nil {
					return err
				}
				pub, err := keyfile.ParsePublicKeyPEM(data)
				if err != nil {
					return fmt.Errorf("%s: %w", file, err)
				}
				set[kid] = pub
			}
			doc, err := keyfile.JWKS(set)
			if err != nil {
				return err
			}
			if out == "" {
				_, err = cmd.OutOrStdout().Write(append(doc, '\n'))
				return err
			}
			if err := os.WriteFile(filepath.Clean(out), append(doc, '\n'), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d keys)\n", out, len(set))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write (default: standard output)")
	return cmd
}
