package gateway

import (
	"fmt"
	"maps"
	"slices"

	"github.com/edgeward/edgeward/keys/fle"
	"github.com/edgeward/edgeward/policy"
)

// fleProfile is a compiled field-level encryption profile: the validated
// configuration and the encryptor of its public key.
type fleProfile struct {
	cfg *policy.FLEProfile
	enc *fle.Encryptor
}

// buildFLEProfiles parses every profile's public key (policy validation
// read the file) and makes its encryptor, once per runtime. Every profile
// is built, used or not, and every problem is reported at its file:line.
func buildFLEProfiles(c *policy.Config) (map[string]*fleProfile, error) {
	var errs policy.Errors
	out := make(map[string]*fleProfile, len(c.FLEProfiles))
	for _, name := range slices.Sorted(maps.Keys(c.FLEProfiles)) {
		p := c.FLEProfiles[name]
		path := fmt.Sprintf("fle_profiles[%q]", name)
		pub, err := fle.ParsePublicKeyPEM(p.PublicKeyPEM)
		if err != nil {
			errs.Problems = append(errs.Problems, c.Problem(path+".public_key", "%s: %v", p.PublicKey, err))
			continue
		}
		if pub.ID != "" && pub.ID != p.KeyID {
			errs.Problems = append(errs.Problems, c.Problem(path+".key_id",
				"%q, but %s is the key %q (its Key-Id header); one id names one key", p.KeyID, p.PublicKey, pub.ID))
			continue
		}
		pub.ID = p.KeyID
		enc, err := fle.NewEncryptor(pub)
		if err != nil {
			errs.Problems = append(errs.Problems, c.Problem(path, "%v", err))
			continue
		}
		out[name] = &fleProfile{cfg: p, enc: enc}
	}
	if len(errs.Problems) > 0 {
		return nil, &errs
	}
	return out, nil
}
