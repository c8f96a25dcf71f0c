package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a configuration file.
type Problem struct {
	File string // the file name as given to Load or Parse
	Line int    // 1-based; 0 for a problem with the whole file (empty, unreadable)
	Msg  string
}

// String formats p as "file:line: msg" ("file: msg" when Line is 0).
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteByte(':')
	}
	if p.Line > 0 {
		b.WriteString(strconv.Itoa(p.Line))
		b.WriteByte(':')
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Errors is the error Load and Parse return: every problem found in the
// file (and the policy files it references), sorted by file, line, then
// message.
type Errors struct {
	Problems []Problem
}

// Error prints one problem per line, "file:line: msg", sorted by file,
// line, then message.
func (e *Errors) Error() string {
	ps := sortProblems(slices.Clone(e.Problems))
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sortProblems sorts ps by file, line, then message, and drops repeats.
func sortProblems(ps []Problem) []Problem {
	slices.SortStableFunc(ps, compareProblems)
	return slices.Compact(ps)
}

// problems collects the problems of one file.
type problems struct {
	file string
	list []Problem
}

func (ps *problems) add(line int, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// err returns the collected problems as *Errors, or nil when there are none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Errors{Problems: sortProblems(slices.Clone(ps.list))}
}

// compareProblems orders problems by file, line, then message.
func compareProblems(a, b Problem) int {
	return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), strings.Compare(a.Msg, b.Msg))
}
