package main

import (
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/keys"
	"github.com/edgeward/edgeward/keys/keyfile"
)

func newKeysCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Make signing keys and key sets",
	}
	cmd.AddCommand(newKeysGenerateCommand(), newKeysJWKSCommand())
	return cmd
}

func newKeysGenerateCommand() *cobra.Command {
	var typ, id, out string
	cmd := &cobra.Command{
		Use:   "generate --type rsa|ecdsa|ed25519 --out PREFIX [--id KEY_ID]",
		Short: "Generate a key pair: PREFIX.pem (private, mode 0600) and PREFIX.pub.pem",
		Long: `Generate a key pair for signing URLs, cookies or tokens.

  rsa      RSA 2048, what CloudFront signed URLs use (SHA-1 or SHA-256)
  ecdsa    ECDSA P-256, smaller and faster signed URLs (SHA-1 or SHA-256)
  ed25519  Ed25519, for JWT tokens (EdDSA) only

PREFIX.pem holds the private key (PKCS#8, created with mode 0600; an existing
file is never overwritten). PREFIX.pub.pem holds the public key, which goes in
the gateway's key_groups. --id prints the config lines for that key id.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required: the path prefix of the files to write, such as keys/k2")
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
	cmd.Flags().StringVar(&typ, "type", "rsa", "key type: rsa, ecdsa or ed25519")
	cmd.Flags().StringVar(&id, "id", "", "the key id (Key-Pair-Id) to print config lines for")
	cmd.Flags().StringVar(&out, "out", "", "path prefix of the files to write")
	return cmd
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
