package policy

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLineOf(t *testing.T) {
	src := `node_name: a            # 1
base: &base                # 2
  connect_timeout: 5s      # 3
distributions:             # 4
  - name: one              # 5
    origins:               # 6
      - id: app            # 7
        headers:           # 8
          "X.Dotted": v    # 9
          "X[1]": w        # 10
      - <<: *base          # 11
        id: two            # 12
  - *other                 # 13
other: &other {name: x}    # 14
`
	// (*other before its anchor is invalid YAML; fix the order for parsing.)
	src = src[:len(src)-len("  - *other                 # 13\nother: &other {name: x}    # 14\n")] +
		"  - &other {name: x}        # 13\nlast: *other               # 14\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path    string
		line    int
		present bool
	}{
		{"node_name", 1, true},
		{"distributions", 4, true},
		{"distributions[0]", 5, true},
		{"distributions[0].name", 5, true},
		{"distributions[0].origins[0].id", 7, true},
		{`distributions[0].origins[0].headers["X.Dotted"]`, 9, true},
		{`distributions[0].origins[0].headers["X[1]"]`, 10, true},
		{"distributions[0].origins[1]", 11, true},
		{"distributions[0].origins[1].id", 12, true},
		{"distributions[0].origins[1].connect_timeout", 3, true}, // through the merge
		{"distributions[1].name", 13, true},
		{"last.name", 13, true}, // through the alias
		// missing: the nearest parent's line
		{"distributions[0].origins[0].url", 7, false},
		{"distributions[0].origins[5].url", 6, false},
		{"distributions[3]", 4, false},
		{"limits.max_url_bytes", 1, false},
		{"node_name.x", 1, false},
		{"distributions[x]", 4, false},
		{`distributions[0].origins[0].headers["unterminated`, 1, false}, // a malformed path: the root
	}
	for _, c := range cases {
		if got := lineOf(&doc, c.path); got != c.line {
			t.Errorf("lineOf(%s) = %d, want %d", c.path, got, c.line)
		}
		if got := present(&doc, c.path); got != c.present {
			t.Errorf("present(%s) = %v, want %v", c.path, got, c.present)
		}
	}
	if lineOf(nil, "a") != 0 || lineOf(&yaml.Node{}, "a") != 0 {
		t.Error("lineOf of an empty tree is not 0")
	}
}
