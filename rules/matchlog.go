package rules

import (
	"io"
	"strings"

	"github.com/corazawaf/coraza/v3/types"
)

// matchLog writes one line per matched rule: the text of
// MatchedRule.ErrorLog (ModSecurity's error-log format, [id "942100"]
// [msg "..."] ...). Coraza calls it synchronously, inside the rule
// evaluation, so a line is written before the request goes on: a tool
// that reads the log after a response sees every line of that request.
// Control characters a rule's message could carry from the request are
// escaped, so one match is always one line.
//
// A request that carries fields the logs must not hold (Request.Redact)
// gets lines whose messages and data are withheld unless they are the
// rule's own text (redact.go).
type matchLog struct {
	w      io.Writer
	redact *redactions
}

var lineEscaper = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\x00", `\x00`)

func (m *matchLog) write(mr types.MatchedRule) {
	var line string
	if m.redact.has(mr.TransactionID()) {
		line = redactedErrorLog(mr)
	} else {
		line = mr.ErrorLog()
	}
	if strings.ContainsAny(line, "\n\r\x00") {
		line = lineEscaper.Replace(line)
	}
	// One Write per line: writers shared by goroutines (an *os.File
	// opened for appending) keep lines whole.
	_, _ = io.WriteString(m.w, line+"\n")
}
