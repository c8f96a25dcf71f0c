package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// checkNoDuplicateMembers walks a JSON document and rejects any object
// that names a member twice. encoding/json keeps the last of duplicate
// members where other parsers keep the first; a key set read differently
// by two tools is a hazard, so it is refused.
func checkNoDuplicateMembers(data []byte) error {
	type frame struct {
		obj     bool
		wantKey bool
		seen    map[string]struct{}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && top.obj {
			if top.wantKey {
				name, _ := tok.(string) // object keys are always strings
				if _, dup := top.seen[name]; dup {
					return fmt.Errorf("member %q appears twice in one object", name)
				}
				top.seen[name] = struct{}{}
				top.wantKey = false
				continue
			}
			top.wantKey = true // this token starts the member's value
		}
		if d, ok := tok.(json.Delim); ok {
			f := &frame{obj: d == '{', wantKey: true}
			if f.obj {
				f.seen = map[string]struct{}{}
			}
			stack = append(stack, f)
		}
	}
}
