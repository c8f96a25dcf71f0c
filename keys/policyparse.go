package keys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// customPolicy is a custom policy after the strict parse.
type customPolicy struct {
	resource    *pattern // nil: any resource
	rawResource string
	wildcard    bool // rawResource holds '*' or '?'
	lessThan    int64
	greaterThan int64 // valid when hasGreater
	hasGreater  bool
	ip          netip.Prefix // valid when hasIP
	hasIP       bool
}

// footprint estimates the memory p holds, in bytes.
func (p *customPolicy) footprint() int {
	n := 128 + len(p.rawResource)
	if pt := p.resource; pt != nil {
		n += 256 + len(pt.lit) + 8*pt.words*(2+len(pt.lits))
	}
	return n
}

// parsePolicy parses a custom policy strictly. It runs only on bytes whose
// signature has verified, so it reads what a key holder wrote; strictness
// is there so that one document has one meaning: exactly one Statement;
// only the keys Resource and Condition, DateLessThan (required),
// DateGreaterThan and IpAddress, AWS:EpochTime and AWS:SourceIp; no key
// twice; epochs that are JSON integers from 0 to year 9999; a Resource
// that is a non-empty string; an IpAddress that is a CIDR or an address;
// nothing after the document.
func parsePolicy(doc []byte) (*customPolicy, error) {
	if len(doc) > maxPolicyBytes {
		return nil, fmt.Errorf("%d bytes, more than the %d allowed", len(doc), maxPolicyBytes)
	}
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	p := &customPolicy{}
	sawStatement := false
	err := object(d, "top level", func(key string) error {
		if key != "Statement" {
			return unknownKey("top level", key)
		}
		sawStatement = true
		return statements(d, p)
	})
	if err != nil {
		return nil, err
	}
	if !sawStatement {
		return nil, errors.New("no Statement")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON document")
	}
	return p, nil
}

func statements(d *json.Decoder, p *customPolicy) error {
	if err := delim(d, "Statement", '['); err != nil {
		return err
	}
	n := 0
	for d.More() {
		if n++; n > 1 {
			return errors.New("the Statement list holds more than one statement")
		}
		if err := statement(d, p); err != nil {
			return err
		}
	}
	if err := delim(d, "Statement", ']'); err != nil {
		return err
	}
	if n == 0 {
		return errors.New("the Statement list is empty")
	}
	return nil
}

func statement(d *json.Decoder, p *customPolicy) error {
	const where = "Statement[0]"
	sawCondition := false
	err := object(d, where, func(key string) error {
		switch key {
		case "Resource":
			s, err := str(d, where+".Resource")
			if err != nil {
				return err
			}
			if s == "" {
				return errors.New(where + ".Resource: empty")
			}
			p.rawResource = s
			p.wildcard = strings.ContainsAny(s, "*?")
			p.resource = compilePattern(s)
			return nil
		case "Condition":
			sawCondition = true
			return condition(d, p)
		}
		return unknownKey(where, key)
	})
	if err == nil && !sawCondition {
		err = errors.New(where + ": no Condition")
	}
	return err
}

func condition(d *json.Decoder, p *customPolicy) error {
	const where = "Statement[0].Condition"
	sawLess := false
	err := object(d, where, func(key string) error {
		var err error
		switch key {
		case "DateLessThan":
			sawLess = true
			p.lessThan, err = epoch(d, where+".DateLessThan")
		case "DateGreaterThan":
			p.hasGreater = true
			p.greaterThan, err = epoch(d, where+".DateGreaterThan")
		case "IpAddress":
			p.hasIP = true
			p.ip, err = sourceIP(d, where+".IpAddress")
		default:
			err = unknownKey(where, key)
		}
		return err
	})
	if err == nil && !sawLess {
		err = errors.New(where + ": no DateLessThan")
	}
	return err
}

func epoch(d *json.Decoder, where string) (int64, error) {
	var v int64
	saw := false
	err := object(d, where, func(key string) error {
		if key != "AWS:EpochTime" {
			return unknownKey(where, key)
		}
		saw = true
		t, err := d.Token()
		if err != nil {
			return syntaxErr(where, err)
		}
		n, ok := t.(json.Number)
		if !ok {
			return fmt.Errorf("%s.AWS:EpochTime: a %s, not an integer", where, kind(t))
		}
		v, err = parseEpoch(string(n))
		if err != nil {
			return fmt.Errorf("%s.AWS:EpochTime: %w", where, err)
		}
		return nil
	})
	if err == nil && !saw {
		err = errors.New(where + ": no AWS:EpochTime")
	}
	return v, err
}

// parseEpoch reads a canonical decimal epoch: digits only, no sign, no
// leading zero, at most maxEpoch.
func parseEpoch(s string) (int64, error) {
	if s == "" || len(s) > 12 || (s[0] == '0' && len(s) > 1) {
		return 0, fmt.Errorf("%s is not an epoch in whole seconds", clip(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%s is not an epoch in whole seconds", clip(s))
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v > maxEpoch {
		return 0, fmt.Errorf("%s is after year 9999", clip(s))
	}
	return v, nil
}

func sourceIP(d *json.Decoder, where string) (netip.Prefix, error) {
	var pfx netip.Prefix
	saw := false
	err := object(d, where, func(key string) error {
		if key != "AWS:SourceIp" {
			return unknownKey(where, key)
		}
		saw = true
		s, err := str(d, where+".AWS:SourceIp")
		if err != nil {
			return err
		}
		pfx, err = parseSourceIP(s)
		if err != nil {
			return fmt.Errorf("%s.AWS:SourceIp: %w", where, err)
		}
		return nil
	})
	if err == nil && !saw {
		err = errors.New(where + ": no AWS:SourceIp")
	}
	return pfx, err
}

// object reads one JSON object, calling member for each key with the
// decoder positioned at the key's value. A key seen twice is an error.
func object(d *json.Decoder, where string, member func(key string) error) error {
	if err := delim(d, where, '{'); err != nil {
		return err
	}
	var seen []string
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return syntaxErr(where, err)
		}
		key, ok := t.(string)
		if !ok {
			return fmt.Errorf("%s: a %s where a key belongs", where, kind(t))
		}
		for _, k := range seen {
			if k == key {
				return fmt.Errorf("%s: key %s appears twice", where, clip(key))
			}
		}
		seen = append(seen, key)
		if err := member(key); err != nil {
			return err
		}
	}
	return delim(d, where, '}')
}

func delim(d *json.Decoder, where string, want json.Delim) error {
	t, err := d.Token()
	if err != nil {
		return syntaxErr(where, err)
	}
	if got, ok := t.(json.Delim); !ok || got != want {
		return fmt.Errorf("%s: a %s where %q belongs", where, kind(t), string(want))
	}
	return nil
}

func str(d *json.Decoder, where string) (string, error) {
	t, err := d.Token()
	if err != nil {
		return "", syntaxErr(where, err)
	}
	s, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("%s: a %s, not a string", where, kind(t))
	}
	return s, nil
}

func unknownKey(where, key string) error {
	return fmt.Errorf("%s: unknown key %s", where, clip(key))
}

func syntaxErr(where string, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%s: bad JSON: %w", where, err)
}

// kind names a JSON token's type for an error message.
func kind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "object"
		case '[':
			return "list"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", t)
}
