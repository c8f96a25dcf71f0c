package crstest

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var ruleIDRx = regexp.MustCompile(`\[id "(\d+)"\]`)

// ruleIDs are the distinct rule ids in lines, in order of appearance.
func ruleIDs(lines [][]byte) []int {
	var ids []int
	for _, l := range lines {
		for _, m := range ruleIDRx.FindAllSubmatch(l, -1) {
			id, err := strconv.Atoi(string(m[1]))
			if err == nil && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// check returns why the stage's outcome does not meet out ("" when it
// does), go-ftw's way: an expected error first, then the status, the
// response contents and the log.
func check(out *Output, res *response, resErr error, lines [][]byte) string {
	if out.ExpectError != nil && *out.ExpectError {
		if resErr == nil {
			return fmt.Sprintf("expected a connection error, got status %d", res.status)
		}
		return ""
	}
	if resErr != nil {
		return "request failed: " + resErr.Error()
	}
	if out.Status != 0 && out.Status != res.status {
		return fmt.Sprintf("status %d, expected %d", res.status, out.Status)
	}
	if out.ResponseContains != "" && !regexp.MustCompile(out.ResponseContains).Match(res.raw) {
		return fmt.Sprintf("the response does not match %q", out.ResponseContains)
	}
	ids := ruleIDs(lines)
	l := &out.Log
	if l.MatchRegex != "" && !anyMatch(l.MatchRegex, lines) {
		return fmt.Sprintf("no log line matches %q (rules %v)", l.MatchRegex, ids)
	}
	if missing := without(l.ExpectIDs, ids); len(missing) > 0 {
		return fmt.Sprintf("expected rules %v not in the log (rules %v)", missing, ids)
	}
	if out.Isolated && len(ids) != 1 {
		return fmt.Sprintf("isolated: expected only rule %v, the log has %v", l.ExpectIDs, ids)
	}
	if l.NoMatchRegex != "" && anyMatch(l.NoMatchRegex, lines) {
		return fmt.Sprintf("a log line matches %q (rules %v)", l.NoMatchRegex, ids)
	}
	if found := within(l.NoExpectIDs, ids); len(found) > 0 {
		return fmt.Sprintf("rules %v are in the log, expected absent", found)
	}
	return ""
}

func anyMatch(rx string, lines [][]byte) bool {
	re := regexp.MustCompile(rx) // checked when the test was loaded
	return slices.ContainsFunc(lines, re.Match)
}

// without is want less have; within is want that have contains.
func without(want, have []int) []int {
	var out []int
	for _, id := range want {
		if !slices.Contains(have, id) {
			out = append(out, id)
		}
	}
	return out
}

func within(want, have []int) []int {
	var out []int
	for _, id := range want {
		if slices.Contains(have, id) {
			out = append(out, id)
		}
	}
	return out
}

// excerpt is lines joined for a failure message, cut short.
func excerpt(lines [][]byte) string {
	s := string(bytes.Join(lines, []byte("\n")))
	if len(s) > 2000 {
		s = s[:2000] + "..."
	}
	return strings.TrimSpace(s)
}
