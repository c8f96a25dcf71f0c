package body

// Byte classes, as lookup tables for the scanners' inner loops.
var (
	tokenChars [256]bool // RFC 2045 token: printable ASCII but tspecials
	tChars     [256]bool // RFC 9110 tchar: header field names
	formSpec   [256]bool // bytes a urlencoded scan must look at
	jsonPlain  [256]bool // string bytes a JSON scan can skip: ASCII, not control, '"' or '\\'
)

func init() {
	for c := 0x21; c < 0x7f; c++ {
		tokenChars[c] = true
		jsonPlain[c] = true
	}
	jsonPlain[' '] = true
	jsonPlain['"'], jsonPlain['\\'] = false, false
	for _, c := range []byte(`()<>@,;:\"/[]?=`) {
		tokenChars[c] = false
	}
	for c := '0'; c <= '9'; c++ {
		tChars[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		tChars[c], tChars[c-'a'+'A'] = true, true
	}
	for _, c := range []byte("!#$%&'*+-.^_`|~") {
		tChars[c] = true
	}
	for _, c := range []byte("&=%+;") {
		formSpec[c] = true
	}
}
