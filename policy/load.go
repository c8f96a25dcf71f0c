package policy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads, decodes and validates the configuration file at path. On
// failure the error is an *Errors listing every problem found.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Errors{Problems: []Problem{{File: path, Msg: "cannot read the file: " + unwrapPath(err).Error()}}}
	}
	return Parse(path, data)
}

// Parse decodes and validates data, the contents of the configuration
// file named file. file names the file in problems and anchors relative
// paths in the config (token_file, access_log.path, origin dirs): they
// resolve against its directory (the working directory when file is "").
// On failure the error is an *Errors listing every problem found, in line
// order; the Config is returned only when there is none.
func Parse(file string, data []byte) (*Config, error) {
	ps := &problems{file: file}
	root := parseDocument(ps, data, "node_name, listen, distributions, ...")
	if root == nil {
		return nil, ps.err()
	}
	cfg := &Config{File: file, root: root}
	bad, ok := decodeStrict(ps, root, cfg)
	if !ok {
		return nil, ps.err()
	}
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		ps.add(0, "cannot resolve the directory of the file: %v", err)
		return nil, ps.err()
	}
	v := &validator{ps: ps, root: root, dir: dir, reported: bad}
	v.config(cfg)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// parseDocument parses data into a node tree: exactly one YAML document
// whose top level is a mapping. It returns that mapping, or nil when
// nothing more can be checked.
func parseDocument(ps *problems, data []byte, keys string) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			ps.add(0, "the file is empty")
		} else {
			syntaxProblem(ps, data, err)
		}
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		ps.add(max(next.Line, 1), "a second YAML document starts here; the file must hold exactly one")
	case !errors.Is(err, io.EOF):
		syntaxProblem(ps, data, err)
	}
	top := deref(&doc)
	if top == nil || isNull(top) {
		ps.add(0, "the file has no settings")
		return nil
	}
	if top.Kind != yaml.MappingNode {
		ps.add(top.Line, "the top level must be a mapping of settings (%s), not %s", keys, describe(top))
		return nil
	}
	return top
}

// syntaxProblem reports a YAML parse error ("yaml: line 3: mapping values
// are not allowed in this context") at its line.
func syntaxProblem(ps *problems, data []byte, err error) {
	line, msg := splitLine(strings.TrimPrefix(err.Error(), "yaml: "), 0)
	ps.add(syntaxLine(data, line), "invalid YAML: %s", msg)
}

// maxRefineLines bounds the files whose syntax error line is refined
// (each step parses a prefix of the file).
const maxRefineLines = 5000

// syntaxLine finds the line of a syntax error. yaml.v3 gets it right for
// scanner errors, but gives parser errors ("did not find expected key")
// the line before the construct that failed, or no line at all. The
// line after the longest run of leading lines that parses on its own is
// where the file stops being valid YAML: the bad line itself, or the start
// of the bracket, quote or block left open. reported is yaml.v3's line,
// kept for very long files.
func syntaxLine(data []byte, reported int) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	utf16 := bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe})
	if len(lines) > maxRefineLines || utf16 || otherLineBreaks(data) {
		return reported
	}
	end := len(data)
	for k := len(lines) - 1; k > 0; k-- {
		end -= len(lines[k])
		if parses(data[:end]) {
			return k + 1
		}
	}
	return 1
}

// otherLineBreaks reports line breaks other than "\n" and "\r\n", which
// YAML also counts: a lone "\r", NEL, LS and PS.
func otherLineBreaks(data []byte) bool {
	return bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\r")) ||
		bytes.Contains(data, []byte("\u0085")) || bytes.Contains(data, []byte("\u2028")) || bytes.Contains(data, []byte("\u2029"))
}

// parses reports whether data is valid YAML (any number of documents).
func parses(data []byte) bool {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			return errors.Is(err, io.EOF)
		}
	}
}

// decodeStrict checks the tree against the types of out, a pointer to a
// Config or a policy file's struct (reporting every unknown key, repeated
// key, misshapen and undecodable value) and decodes what is left into
// out. It returns the key paths it reported, and false when nothing can be
// validated.
func decodeStrict(ps *problems, top *yaml.Node, out any) (reported map[string]bool, ok bool) {
	sd := &strictDecoder{ps: ps, seen: map[visit]bool{}, bad: map[string]bool{}}
	if err := sd.check(top, reflect.TypeOf(out).Elem(), ""); err != nil {
		ps.add(0, "%v", err)
		return nil, false
	}
	err := top.Decode(out)
	var te *yaml.TypeError
	switch {
	case err == nil:
		return sd.bad, true
	case errors.As(err, &te):
		// Not expected after the check above; reported as yaml.v3 words it.
		for _, msg := range te.Errors {
			line, text := splitLine(msg, 0)
			ps.add(line, "%s", text)
		}
		return sd.bad, true
	default:
		ps.add(0, "cannot decode the file: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, false
	}
}
