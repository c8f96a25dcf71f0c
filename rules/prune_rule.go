package rules

import (
	"errors"
	"strconv"
	"strings"
)

// ruleShape is what pruning reads of a SecRule directive, parsed the
// way Coraza v3.8.1's seclang parser reads it (rule_parser.go): the
// variables, the operator and its argument, and the actions that decide
// which text the operator sees (t: and multiMatch).
type ruleShape struct {
	vars       []ruleVar
	op         string // "rx", "pm", ...: without the @ and the !
	arg        string
	negated    bool
	trans      []string // lower case, after the last t:none
	multiMatch bool
	tNone      bool // the actions say t:none: SecDefaultAction's transformations do not apply
	bodyProc   string
	skip       int // skip:N
}

// ruleVar is one variable of a rule: a collection name (upper case) and
// the key it selects ("" for all of it, "/.../" for a regular
// expression). Negated variables (!ARGS:x) only take values away and are
// not kept.
type ruleVar struct {
	name, key string
	count     bool // &NAME: the number of values
}

var errShape = errors.New("not a SecRule this parser reads")

// parseSecRule reads a SecRule directive as Coraza keeps it (the rule's
// Raw text: the directive name, then its three arguments).
func parseSecRule(raw string) (ruleShape, error) {
	var sh ruleShape
	name, data, _ := strings.Cut(strings.TrimSpace(raw), " ")
	if !strings.EqualFold(name, "SecRule") {
		return sh, errShape
	}
	// Coraza: the variables run to the first space, then a quoted
	// operator, then quoted actions.
	data = strings.Trim(data, " ")
	vars, rest, ok := strings.Cut(data, " ")
	if !ok {
		return sh, errShape
	}
	rest = strings.TrimLeft(rest, " ")
	quoted, rest, ok := cutQuoted(rest)
	if !ok {
		return sh, errShape
	}
	op := strings.ReplaceAll(quoted[1:len(quoted)-1], `\"`, `"`)
	rest = strings.TrimLeft(rest, " ")
	var actions string
	if rest != "" {
		if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
			return sh, errShape
		}
		actions = rest[1 : len(rest)-1]
	}
	var err error
	if sh.vars, err = parseVars(vars); err != nil {
		return sh, err
	}
	sh.op, sh.arg, sh.negated = parseOperator(op)
	parseActions(actions, &sh)
	return sh, nil
}

// cutQuoted cuts a double-quoted string off the front of s: up to the
// first quote after an even number of backslashes.
func cutQuoted(s string) (quoted, rest string, ok bool) {
	if s == "" || s[0] != '"' {
		return "", "", false
	}
	escapes := 0
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			escapes++
		case s[i] == '"' && escapes%2 == 0:
			return s[:i+1], s[i+1:], true
		default:
			escapes = 0
		}
	}
	return "", "", false
}

// parseOperator splits "@rx pattern", "!@pm a b" or a bare pattern
// (@rx) into name, argument and negation, as Coraza does.
func parseOperator(op string) (name, arg string, negated bool) {
	switch {
	case op == "" || op[0] != '@' && op[0] != '!':
		op = "@rx " + op
	case op == "!":
		op = "!@rx"
	case len(op) > 1 && op[0] == '!' && op[1] != '@':
		op = "!@rx " + op[1:]
	}
	name, arg, _ = strings.Cut(op, " ")
	name, arg = strings.TrimSpace(name), strings.TrimSpace(arg)
	if strings.HasPrefix(name, "!") {
		negated = true
		name = name[1:]
	}
	return strings.TrimPrefix(name, "@"), arg, negated
}

// parseActions reads the transformations, multiMatch and a body
// processor a ctl sets, splitting the actions at commas outside single
// quotes as Coraza does (a character after a backslash is not a
// separator).
func parseActions(actions string, sh *ruleShape) {
	add := func(kv string) {
		key, val, _ := strings.Cut(kv, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		if len(val) >= 2 && (val[0] == '\'' && val[len(val)-1] == '\'' || val[0] == '"' && val[len(val)-1] == '"') {
			val = val[1 : len(val)-1]
		}
		switch key {
		case "t":
			if strings.EqualFold(val, "none") {
				sh.trans, sh.tNone = nil, true
				return
			}
			sh.trans = append(sh.trans, strings.ToLower(val))
		case "multimatch":
			sh.multiMatch = true
		case "skip":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				n = 1 << 20 // unreadable: everything after it is counted
			}
			sh.skip = n
		case "ctl":
			if k, v, _ := strings.Cut(val, "="); strings.EqualFold(strings.TrimSpace(k), "requestBodyProcessor") {
				sh.bodyProc = strings.ToUpper(strings.TrimSpace(v))
			}
		}
	}
	start, inQuotes := 0, false
	for i := 1; i < len(actions); i++ {
		c := actions[i]
		if actions[i-1] == '\\' {
			continue
		}
		switch {
		case c == '\'':
			inQuotes = !inQuotes
		case c == ',' && !inQuotes:
			add(actions[start:i])
			start = i + 1
		}
	}
	if start < len(actions) {
		add(actions[start:])
	}
}

// parseVars splits "REQUEST_COOKIES|!REQUEST_COOKIES:/__utm/|ARGS:id"
// into variables. A regular-expression key (/.../) may hold |. Anything
// unusual (a quoted key, a flag in the middle of a name) is refused:
// pruning only trusts a rule it reads as Coraza does.
func parseVars(s string) ([]ruleVar, error) {
	var out []ruleVar
	for s != "" {
		tok := s
		i := 0
		for i < len(s) && s[i] != '|' && s[i] != ':' {
			i++
		}
		if i < len(s) && s[i] == ':' {
			j := i + 1
			name := strings.ToUpper(strings.TrimLeft(s[:i], "!&"))
			if j < len(s) && s[j] == '/' && name != "XML" && name != "JSON" { // XML and JSON keys are paths
				// A regular expression, to the next / not escaped.
				k, escaped := j+1, false
				for ; k < len(s); k++ {
					if s[k] == '\\' {
						escaped = !escaped
						continue
					}
					if s[k] == '/' && !escaped {
						break
					}
					escaped = false
				}
				if k == len(s) {
					return nil, errShape
				}
				i = k + 1
			} else {
				for i < len(s) && s[i] != '|' {
					i++
				}
			}
		}
		tok, s = s[:i], s[i:]
		if s != "" {
			if s[0] != '|' {
				return nil, errShape
			}
			s = s[1:]
		}
		name, key, _ := strings.Cut(tok, ":")
		negated, count := false, false
		for len(name) > 0 && (name[0] == '!' || name[0] == '&') {
			negated = negated || name[0] == '!'
			count = count || name[0] == '&'
			name = name[1:]
		}
		if name == "" || strings.ContainsAny(name, "!&'\" ") || strings.ContainsAny(key, "'\"") {
			return nil, errShape
		}
		if negated {
			continue
		}
		out = append(out, ruleVar{name: strings.ToUpper(name), key: key, count: count})
	}
	return out, nil
}
