package policy

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// lineOf returns the line of the node a key path names, such as
// "distributions[0].origins[1].id" or `origins[0].headers["X-Key"]`:
// the line of the key for a mapping entry, of the item for a list entry.
// When the path does not exist in the file (a missing key), it returns
// the line of the nearest ancestor that does; 0 only for an empty tree.
func lineOf(root *yaml.Node, path string) int {
	line, _ := resolve(root, path)
	return line
}

// present reports whether path names a value written in the file (not
// absent, not null), so that "connection_attempts: 0" can be told apart
// from a key left out.
func present(root *yaml.Node, path string) bool {
	_, n := resolve(root, path)
	return n != nil && !isNull(n)
}

// resolve walks path from root. It returns the line of the deepest node
// reached and, when the whole path exists, its (alias-resolved) node.
func resolve(root *yaml.Node, path string) (line int, node *yaml.Node) {
	n := deref(root)
	if n == nil {
		return 0, nil
	}
	line = n.Line
	segs, ok := splitPath(path)
	if !ok {
		return line, nil
	}
	for _, seg := range segs {
		var k, v *yaml.Node
		if ix, isIndex := strings.CutPrefix(seg, "["); isIndex {
			i, err := strconv.Atoi(ix)
			if err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
				return line, nil
			}
			k, v = n.Content[i], n.Content[i]
		} else {
			if name, err := strconv.Unquote(seg); err == nil {
				seg = name
			}
			if k, v = findKey(n, seg); k == nil {
				return line, nil
			}
		}
		if line, n = k.Line, deref(v); n == nil {
			return line, nil
		}
	}
	return line, n
}

// splitPath splits `a.b[1]["X.Y"]` into "a", "b", "[1", `"X.Y"`: keys,
// list indexes (marked by their '[') and quoted keys, which are Go string
// literals and may hold '.', '[' and ']'.
func splitPath(path string) (segs []string, ok bool) {
	for path != "" {
		switch {
		case path[0] == '.':
			path = path[1:]
		case strings.HasPrefix(path, `["`):
			q, err := strconv.QuotedPrefix(path[1:])
			if err != nil || !strings.HasPrefix(path[1+len(q):], "]") {
				return nil, false
			}
			segs = append(segs, q)
			path = path[len(q)+2:]
		case path[0] == '[':
			end := strings.IndexByte(path, ']')
			if end < 0 {
				return nil, false
			}
			segs = append(segs, path[:end])
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			segs = append(segs, path[:end])
			path = path[end:]
		}
	}
	return segs, true
}

// findKey returns the key and value nodes of key in mapping n, looking
// into "<<" merges when the key is not written in n itself (each merged
// mapping once, so aliases cannot make the search blow up).
func findKey(n *yaml.Node, key string) (k, v *yaml.Node) {
	var seen map[*yaml.Node]bool
	queue := []*yaml.Node{n}
	for len(queue) > 0 {
		m := deref(queue[0])
		queue = queue[1:]
		if m == nil || m.Kind != yaml.MappingNode || seen[m] {
			continue
		}
		var merges []*yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			kn := m.Content[i]
			if isMergeKey(kn) {
				if src := deref(m.Content[i+1]); src != nil && src.Kind == yaml.SequenceNode {
					merges = append(merges, src.Content...)
				} else {
					merges = append(merges, src)
				}
				continue
			}
			if kn.Kind == yaml.ScalarNode && kn.Value == key {
				return kn, m.Content[i+1]
			}
		}
		if len(merges) > 0 {
			if seen == nil {
				seen = map[*yaml.Node]bool{}
			}
			seen[m] = true
			queue = append(merges, queue...)
		}
	}
	return nil, nil
}

// deref follows aliases and unwraps a document node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 8; i++ {
		switch {
		case n.Kind == yaml.AliasNode && n.Alias != nil:
			n = n.Alias
		case n.Kind == yaml.DocumentNode && len(n.Content) == 1:
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}

func isMergeKey(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "<<" && n.ShortTag() == "!!merge"
}
