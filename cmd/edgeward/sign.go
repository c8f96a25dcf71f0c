package main

import (
	"crypto"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgeward/edgeward/keys"
	"github.com/edgeward/edgeward/keys/keyfile"
	"github.com/edgeward/edgeward/keys/token"
)

func newSignCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sign",
		Short: "Make signed URLs, signed cookies and tokens",
	}
	cmd.AddCommand(newSignURLCommand(), newSignCookieCommand(), newSignTokenCommand())
	return cmd
}

// signFlags are what sign url and sign cookie share.
type signFlags struct {
	keyPairID, privateKey, expires, notBefore, ip, resource, hash string
}

func (f *signFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.keyPairID, "key-pair-id", "", "the key id (Key-Pair-Id) of the public key in the gateway's key group")
	fl.StringVar(&f.privateKey, "private-key", "", "PEM file with the RSA or ECDSA P-256 private key")
	fl.StringVar(&f.expires, "expires", "", "when the signature expires: RFC 3339, +DURATION (+1h, +7d) or Unix seconds")
	fl.StringVar(&f.notBefore, "not-before", "", "custom policy: not valid before this time (same forms as --expires)")
	fl.StringVar(&f.ip, "ip", "", "custom policy: only viewers in this CIDR (203.0.113.0/24)")
	fl.StringVar(&f.resource, "resource", "", "custom policy: the URLs the signature covers, * and ? wildcards (default: the URL)")
	fl.StringVar(&f.hash, "hash-algorithm", "", "SHA1 or SHA256 (default: SHA-1 without a Hash-Algorithm parameter, as CloudFront)")
}

// signer loads the key and builds the policy from the flags. custom is
// false when only an expiry was given (a canned policy).
func (f *signFlags) signer(resource string, now time.Time) (s *keys.Signer, p keys.Policy, custom bool, err error) {
	if f.keyPairID == "" || f.privateKey == "" || f.expires == "" {
		return nil, p, false, fmt.Errorf("--key-pair-id, --private-key and --expires are required")
	}
	hash := keys.HashDefault
	switch strings.ToUpper(f.hash) {
	case "":
	case "SHA1":
		hash = keys.HashSHA1
	case "SHA256":
		hash = keys.HashSHA256
	default:
		return nil, p, false, fmt.Errorf("--hash-algorithm %q: want SHA1 or SHA256", f.hash)
	}
	k, err := loadPrivateKey(f.privateKey)
	if err != nil {
		return nil, p, false, err
	}
	s, err = keys.NewSigner(f.keyPairID, k, hash)
	if err != nil {
		return nil, p, false, err
	}
	exp, err := parseWhen(f.expires, now)
	if err != nil {
		return nil, p, false, fmt.Errorf("--expires %w", err)
	}
	if !exp.After(now) {
		fmt.Fprintf(os.Stderr, "edgeward: warning: --expires %s is in the past; the signature is already expired\n", exp.Format(time.RFC3339))
	}
	p = keys.CannedPolicy(resource, exp)
	if f.resource != "" {
		p.Resource, custom = f.resource, true
	}
	if f.notBefore != "" {
		nb, err := parseWhen(f.notBefore, now)
		if err != nil {
			return nil, p, false, fmt.Errorf("--not-before %w", err)
		}
		if !nb.Before(exp) {
			return nil, p, false, fmt.Errorf("--not-before must be before --expires")
		}
		p.DateGreaterThan, custom = nb, true
	}
	if f.ip != "" {
		pfx, err := netip.ParsePrefix(f.ip)
		if err != nil {
			addr, aerr := netip.ParseAddr(f.ip)
			if aerr != nil {
				return nil, p, false, fmt.Errorf("--ip %q: want a CIDR such as 203.0.113.0/24 or one address", f.ip)
			}
			pfx = netip.PrefixFrom(addr, addr.BitLen())
		}
		p.IPAddress, custom = pfx.Masked().String(), true
	}
	return s, p, custom, nil
}

func loadPrivateKey(file string) (crypto.Signer, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	k, err := keyfile.ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return k, nil
}

func newSignURLCommand() *cobra.Command {
	var f signFlags
	cmd := &cobra.Command{
		Use:   "url --key-pair-id ID --private-key FILE --expires WHEN [policy flags] URL",
		Short: "Print a CloudFront-compatible signed URL",
		Long: `Print a signed URL, byte-identical to what the AWS SDK for Go v2 makes for
the same key, URL and policy. With only --expires it uses a canned policy;
--not-before, --ip or --resource make a custom policy.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, p, custom, err := f.signer(args[0], time.Now())
			if err != nil {
				return err
			}
			var signed string
			if custom {
				signed, err = s.SignURLWithPolicy(args[0], p)
			} else {
				signed, err = s.SignURL(args[0], p.DateLessThan)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), signed)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func newSignCookieCommand() *cobra.Command {
	var f signFlags
	var domain, path string
	var secure bool
	cmd := &cobra.Command{
		Use:   "cookie --key-pair-id ID --private-key FILE --expires WHEN [policy flags] [--domain D] [--path P] [--secure] URL",
		Short: "Print Set-Cookie lines with CloudFront-compatible signed cookies",
		Long: `Print the Set-Cookie header lines that give a browser access to URL (or, with
--resource, to every URL the pattern matches, such as
'https://cdn.example.com/videos/*'). With only --expires the cookies carry a
canned policy (CloudFront-Expires); otherwise CloudFront-Policy.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, p, custom, err := f.signer(args[0], time.Now())
			if err != nil {
				return err
			}
			cookies, err := s.SignCookies(p, !custom)
			if err != nil {
				return err
			}
			for _, c := range cookies {
				c.Domain, c.Path, c.Secure, c.HttpOnly = domain, path, secure, true
				if c.Path == "" {
					c.Path = "/"
				}
				c.SameSite = http.SameSiteLaxMode
				line := c.String()
				if line == "" {
					return fmt.Errorf("cookie %s: invalid attributes (check --domain and --path)", c.Name)
				}
				fmt.Fprintln(cmd.OutOrStdout(), "Set-Cookie: "+line)
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&domain, "domain", "", "cookie Domain attribute (default: none, the host that sets it)")
	cmd.Flags().StringVar(&path, "path", "/", "cookie Path attribute")
	cmd.Flags().BoolVar(&secure, "secure", false, "add the Secure attribute (send over HTTPS only)")
	return cmd
}

func newSignTokenCommand() *cobra.Command {
	var keyFile, kid, path, expires, notBefore, audience, subject string
	cmd := &cobra.Command{
		Use:   "token --key FILE --kid ID --path GLOB --expires WHEN [--audience A] [--subject S]",
		Short: "Print a JWT for behaviors with signed.token",
		Long: `Print a JWT (RS256, ES256 or EdDSA, following the key) whose path claim
grants the paths GLOB matches ('*' any characters, including '/'). Send it as
"Authorization: Bearer TOKEN" or where the behavior's signed.token says.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keyFile == "" || kid == "" || path == "" || expires == "" {
				return fmt.Errorf("--key, --kid, --path and --expires are required")
			}
			k, err := loadPrivateKey(keyFile)
			if err != nil {
				return err
			}
			now := time.Now()
			c := token.SignClaims{Subject: subject, Audience: audience, Path: path, IssuedAt: now.Truncate(time.Second)}
			if c.ExpiresAt, err = parseWhen(expires, now); err != nil {
				return fmt.Errorf("--expires %w", err)
			}
			if notBefore != "" {
				if c.NotBefore, err = parseWhen(notBefore, now); err != nil {
					return fmt.Errorf("--not-before %w", err)
				}
			}
			tok, err := token.Sign(k, kid, c)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&keyFile, "key", "", "PEM file with the private key (RSA, ECDSA P-256 or Ed25519)")
	fl.StringVar(&kid, "kid", "", "the key id in the gateway's JWKS")
	fl.StringVar(&path, "path", "", "the path claim: a glob of the paths the token grants, such as /videos/*")
	fl.StringVar(&expires, "expires", "", "RFC 3339, +DURATION (+1h) or Unix seconds")
	fl.StringVar(&notBefore, "not-before", "", "optional start of validity")
	fl.StringVar(&audience, "audience", "", "optional aud claim")
	fl.StringVar(&subject, "subject", "", "optional sub claim")
	return cmd
}
