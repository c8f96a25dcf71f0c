package policy

import (
	"go.yaml.in/yaml/v3"
)

// Default reports whether the credentials are the AWS SDK default chain.
func (c S3Credentials) Default() bool {
	return c.Profile == "" && c.AccessKeyID == "" && c.SecretAccessKeyFile == ""
}

// UnmarshalYAML reads "default" or a mapping of profile, access_key_id and
// secret_access_key_file. Which combinations are valid is checked by
// validation, which knows the key path.
func (c *S3Credentials) UnmarshalYAML(n *yaml.Node) error {
	*c = S3Credentials{Line: n.Line}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value != "default" {
			return lineError(n, "write \"default\" (the AWS SDK default chain) or a mapping with profile, or access_key_id and secret_access_key_file; got %q", n.Value)
		}
		return nil
	case yaml.MappingNode:
	default:
		return lineError(n, "expected \"default\" or a mapping, got %s", describe(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return lineError(k, "key %q is repeated", k.Value)
		}
		seen[k.Value] = true
		var dst *string
		switch k.Value {
		case "profile":
			dst = &c.Profile
		case "access_key_id":
			dst = &c.AccessKeyID
		case "secret_access_key_file":
			dst = &c.SecretAccessKeyFile
		case "secret_access_key":
			return lineError(k, "put the secret in a file and name it with secret_access_key_file, so the config can be shared and logged")
		default:
			return lineError(k, "unknown field %q (known: profile, access_key_id, secret_access_key_file)", k.Value)
		}
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return lineError(v, "%s: expected a string, got %s", k.Value, describe(v))
		}
		*dst = v.Value
	}
	return nil
}
