package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Policy files are YAML files with a kind, referenced from the config
// (geo_policy: policies/eu.yaml) and checked on their own by `edgeward
// policy check`. Each kind has a struct, a loader that validates it, and
// an entry in policyKinds; adding a kind is adding those three.

// policyKinds are the kinds of policy file and what each is for.
var policyKinds = map[string]string{
	"geo": "country allow and deny lists (geo_policy)",
	"waf": "the WAF: CRS settings, rules, IP sets, rate limits (waf_policy)",
}

// knownKinds lists the kinds for messages.
func knownKinds() string {
	ks := make([]string, 0, len(policyKinds))
	for k := range policyKinds {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ", ")
}

// FileKind is the kind a YAML file declares at its top level, "" when it
// declares none (a configuration file).
func FileKind(data []byte) string {
	var top struct {
		Kind string `yaml:"kind"`
	}
	if err := yaml.Unmarshal(data, &top); err != nil {
		return ""
	}
	return top.Kind
}

// LoadFile loads a configuration file or, when it declares a kind, a
// policy file of that kind: *Config, *GeoPolicy, ... On failure the
// error is an *Errors.
func LoadFile(path string) (any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Errors{Problems: []Problem{{File: path, Msg: "cannot read the file: " + unwrapPath(err).Error()}}}
	}
	kind := FileKind(data)
	if kind == "" && looksGeo(data) { // a geo policy that forgot its kind: say so
		kind = "geo"
	}
	switch kind {
	case "":
		return Parse(path, data)
	case "geo":
		return ParseGeoPolicy(path, data)
	case "waf":
		return ParseWAFPolicy(path, data)
	default:
		return nil, &Errors{Problems: []Problem{{File: path, Line: kindLine(data), Msg: "kind: unknown kind " + quoteKind(kind) + "; the kinds of policy file are " + knownKinds()}}}
	}
}

// parsePolicy decodes a policy file of kind into out (a pointer to its
// struct) strictly. It returns the root node, the key paths already
// reported, and false when nothing more can be checked.
func parsePolicy(ps *problems, data []byte, kind string, out any, keys string) (*yaml.Node, map[string]bool, bool) {
	root := parseDocument(ps, data, keys)
	if root == nil {
		return nil, nil, false
	}
	bad, ok := decodeStrict(ps, root, out)
	if !ok {
		return nil, nil, false
	}
	switch got := kindOf(root); {
	case got == "" && !bad["kind"]:
		ps.add(1, "kind: missing; a %s policy file starts with kind: %s", kind, kind)
	case got != kind && got != "" && policyKinds[got] != "":
		ps.add(lineOf(root, "kind"), "kind: this is a %s policy; a %s policy (kind: %s) is needed here", got, kind, kind)
	case got != kind && got != "":
		ps.add(lineOf(root, "kind"), "kind: unknown kind %s; the kinds of policy file are %s", quoteKind(got), knownKinds())
	}
	return root, bad, true
}

// kindOf is the kind: value written in a file's top-level mapping.
func kindOf(root *yaml.Node) string {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "kind" && root.Content[i+1].Kind == yaml.ScalarNode {
			return root.Content[i+1].Value
		}
	}
	return ""
}

// looksGeo reports whether a file without a kind has a geo policy's
// allow or deny list at its top level (a config file never does).
func looksGeo(data []byte) bool {
	var top map[string]any
	if yaml.Unmarshal(data, &top) != nil {
		return false
	}
	_, allow := top["allow"]
	_, deny := top["deny"]
	return allow || deny
}

func kindLine(data []byte) int {
	for i, line := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("kind:")) {
			return i + 1
		}
	}
	return 0
}

func quoteKind(k string) string {
	if len(k) > 40 {
		k = k[:37] + "..."
	}
	return `"` + k + `"`
}

// readPolicy reads the policy file at path and parses it.
func readPolicy[T any](path string, parse func(string, []byte) (*T, error)) (*T, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Errors{Problems: []Problem{{File: path, Msg: "cannot read the file: " + unwrapPath(err).Error()}}}
	}
	return parse(path, data)
}

// parseKind decodes a policy file of kind strictly into a new T and runs
// check on it, with a validator whose relative paths resolve against
// the file's directory; abs is the file's absolute path.
func parseKind[T any](file string, data []byte, kind, keys string, check func(v *validator, p *T, abs string)) (*T, error) {
	ps := &problems{file: file}
	p := new(T)
	root, bad, ok := parsePolicy(ps, data, kind, p, keys)
	if !ok {
		return nil, ps.err()
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	v := &validator{ps: ps, root: root, reported: bad, dir: filepath.Dir(abs)}
	check(v, p, abs)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return p, nil
}
