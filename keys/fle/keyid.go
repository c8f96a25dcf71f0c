package fle

import "fmt"

// MaxKeyIDLen is the longest key id.
const MaxKeyIDLen = 64

// CheckKeyID reports whether id can name a key: 1 to 64 characters from
// A-Z a-z 0-9 . _ - (no colon, so a value's key id ends at the next one).
// The error does not quote id; the caller knows it.
func CheckKeyID(id string) error {
	if id == "" {
		return fmt.Errorf("empty key id")
	}
	if len(id) > MaxKeyIDLen {
		return fmt.Errorf("key id is %d characters, more than %d", len(id), MaxKeyIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !isKeyIDChar(id[i]) {
			return fmt.Errorf("key id: character %d is not one of A-Z a-z 0-9 . _ -", i+1)
		}
	}
	return nil
}

func isKeyIDChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}
