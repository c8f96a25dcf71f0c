package policy

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// strictDecoder walks the node tree alongside the Config types and reports,
// with its key path, every key the types do not know, every repeated key,
// every value of the wrong shape, and every scalar that does not decode
// (each scalar is decoded by yaml.v3 itself). It then removes or nulls
// what it reported, so that the final yaml.v3 decode of the tree cannot
// fail and cannot drop or shift list items: a bad item decodes as a zero
// value at its own index, and the semantic checks find it by its path.
//
// (Decoding the raw bytes with KnownFields reports most of this too, but
// it silently skips a whole mapping that has a repeated key and drops a
// list item of the wrong shape, after which list indexes no longer match
// the file and the semantic checks would report phantom problems.)
type strictDecoder struct {
	ps    *problems
	seen  map[visit]bool
	steps int
	// bad holds the key paths reported here, so that the semantic checks
	// do not report the same value again ("required") after it was nulled.
	bad map[string]bool
}

type visit struct {
	n *yaml.Node
	t reflect.Type
}

// maxSteps bounds the walk (aliases can make a small file a large tree;
// each node is checked once per type, so this is far above any real file).
const maxSteps = 1 << 20

var errTooComplex = errors.New("the file is too complex (too many aliased nodes)")

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

func (d *strictDecoder) check(n *yaml.Node, t reflect.Type, path string) error {
	n = deref(n)
	if n == nil || isNull(n) {
		return nil
	}
	for t.Kind() == reflect.Pointer { // optional blocks: *DiskCache, *CachePolicy, *bool
		t = t.Elem()
	}
	if d.seen[visit{n, t}] {
		return nil
	}
	d.seen[visit{n, t}] = true
	if d.steps++; d.steps > maxSteps {
		return errTooComplex
	}
	switch t { // types written in more than one shape
	case cachePolicyType:
		return d.cachePolicy(n, path)
	case keyValuesType:
		return d.keyValues(n, path)
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		d.leaf(n, t, path)
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.wrongShape(n, path, "a mapping of settings")
			return nil
		}
		return d.mapping(n, t, path)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.wrongShape(n, path, "a mapping of names to values")
			return nil
		}
		return d.mapping(n, t, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.wrongShape(n, path, "a list")
			return nil
		}
		for i, item := range n.Content {
			if err := d.check(item, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
			if dn := deref(item); dn == nil || isNull(dn) {
				zero(item, t.Elem())
			}
		}
	default:
		d.leaf(n, t, path)
	}
	return nil
}

// mapping checks the keys of a struct (t is a struct type) or a map and
// each value against its type.
func (d *strictDecoder) mapping(n *yaml.Node, t reflect.Type, path string) error {
	first := map[string]int{} // key -> line
	kept := n.Content[:0:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			keep, err := d.merge(v, t, path)
			if err != nil {
				return err
			}
			if keep {
				kept = append(kept, k, v)
			}
			continue
		}
		kd := deref(k)
		if kd == nil || kd.Kind != yaml.ScalarNode {
			d.ps.add(k.Line, "%s: a key must be a plain name, not %s", where(path), describe(kd))
			continue
		}
		name := kd.Value
		if line, dup := first[name]; dup {
			d.ps.add(k.Line, "%s: key %q is repeated (first at line %d)", where(path), name, line)
			continue
		}
		first[name] = k.Line
		var vt reflect.Type
		var vpath string
		if t.Kind() == reflect.Struct {
			f, ok := fieldByTag(t, name)
			if !ok {
				d.ps.add(k.Line, "unknown field %q %s%s", name, context(path), suggest(name, t))
				continue
			}
			vt, vpath = f.Type, join(path, name)
		} else {
			vt, vpath = t.Elem(), path+"["+strconv.Quote(name)+"]"
		}
		if err := d.check(v, vt, vpath); err != nil {
			return err
		}
		kept = append(kept, k, v)
	}
	n.Content = kept
	return nil
}

// merge checks the value of a "<<" key: a mapping, or a list of
// mappings, each checked as if written in place. keep is false when the
// merge is malformed and must be dropped (yaml.v3 would abort on it).
func (d *strictDecoder) merge(v *yaml.Node, t reflect.Type, path string) (keep bool, err error) {
	vd := deref(v)
	srcs := []*yaml.Node{vd}
	if vd.Kind == yaml.SequenceNode {
		srcs = vd.Content
	}
	for _, s := range srcs {
		if sd := deref(s); sd.Kind != yaml.MappingNode {
			d.ps.add(max(s.Line, v.Line), "%s: a merge (<<) takes a mapping or a list of mappings, not %s", where(path), describe(sd))
			return false, nil
		}
	}
	for _, s := range srcs {
		if err := d.check(s, t, path); err != nil {
			return false, err
		}
	}
	return true, nil
}

// leaf decodes a scalar (or a type with its own UnmarshalYAML) with
// yaml.v3 into a scratch value, to learn whether it decodes.
func (d *strictDecoder) leaf(n *yaml.Node, t reflect.Type, path string) {
	custom := reflect.PointerTo(t).Implements(unmarshalerType)
	if !custom && n.Kind != yaml.ScalarNode {
		d.wrongShape(n, path, expected(t))
		return
	}
	err := n.Decode(reflect.New(t).Interface())
	if err == nil {
		return
	}
	var te *yaml.TypeError
	switch {
	case custom && errors.As(err, &te):
		for _, msg := range te.Errors {
			line, text := splitLine(msg, n.Line)
			d.ps.add(line, "%s: %s", where(path), text)
		}
	case errors.As(err, &te):
		d.ps.add(n.Line, "%s: expected %s, got %s", where(path), expected(t), describe(n))
	default:
		_, text := splitLine(strings.TrimPrefix(err.Error(), "yaml: "), n.Line)
		d.ps.add(n.Line, "%s: %s", where(path), text)
	}
	d.bad[path] = true
	nullify(n)
}

func (d *strictDecoder) wrongShape(n *yaml.Node, path, want string) {
	d.ps.add(n.Line, "%s: expected %s, got %s", where(path), want, describe(n))
	d.bad[path] = true
	nullify(n)
}

// expected names what a scalar type takes.
func expected(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[Duration]():
		return `a duration such as "10s"`
	case reflect.TypeFor[ByteSize]():
		return `a size such as "20KiB"`
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return t.String()
}

// fieldByTag finds the field of struct t whose yaml tag names key.
func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name == key && name != "-" && f.IsExported() {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// nullify turns n into a null scalar in place (keeping its position), so
// it decodes as the zero value.
func nullify(n *yaml.Node) {
	if n == nil {
		return
	}
	*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
}

// zero turns a null list item into the zero value of t written out, in
// place: yaml.v3 drops a null item from a list of structs or strings,
// which would shift the indexes of the items after it.
func zero(n *yaml.Node, t reflect.Type) {
	z := yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: n.Line, Column: n.Column}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		z.Kind, z.Tag = yaml.MappingNode, "!!map"
	case reflect.Slice:
		z.Kind, z.Tag = yaml.SequenceNode, "!!seq"
	case reflect.Int, reflect.Int64:
		z.Tag, z.Value = "!!int", "0"
	}
	*n = z
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's value for a message: a quoted scalar (cut to 40
// bytes), "a list", "a mapping".
func describe(n *yaml.Node) string {
	n = deref(n)
	switch {
	case n == nil || isNull(n):
		return "null"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	return strconv.Quote(v)
}

// splitLine splits yaml.v3's "line N: msg" into N and msg (def and the
// whole string when there is no such prefix).
func splitLine(s string, def int) (int, string) {
	rest, ok := strings.CutPrefix(s, "line ")
	if num, msg, found := strings.Cut(rest, ": "); ok && found {
		if n, err := strconv.Atoi(num); err == nil && n > 0 {
			return n, msg
		}
	}
	return def, s
}

// join appends key to a key path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// where names a path in a message ("the top level" for the root).
func where(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

// context names the mapping at path for an unknown-field message: "in
// origin" for distributions[0].origins[1], "in listen" for listen.
func context(path string) string {
	if path == "" {
		return "at the top level"
	}
	last := path[strings.LastIndexByte(path, '.')+1:]
	if key, _, isItem := strings.Cut(last, "["); isItem {
		return "in " + strings.TrimSuffix(key, "s")
	}
	return "in " + last
}

// suggest proposes the field of struct t closest to an unknown key
// (`(did you mean "connect_timeout"?)`), or "" when none is close.
func suggest(key string, t reflect.Type) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "_") }
	best, bestDist := "", 3
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		dist := editDistance(norm(key), name)
		if dist < bestDist && dist < len(name)/2 {
			best, bestDist = name, dist
		}
	}
	if best == "" {
		return ""
	}
	return ` (did you mean "` + best + `"?)`
}

// editDistance is the Levenshtein distance of a and b, in bytes; keys are
// short, and anything longer than 64 bytes is simply "far".
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
