package body

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func errorIs(err error, c Code) bool { return errors.Is(err, &Error{Code: c}) }

func TestErrorMatching(t *testing.T) {
	inner := errors.New("seal failed")
	var err error = &Error{Code: ErrTransform, Detail: "d", Err: inner}
	wrapped := fmt.Errorf("gateway: %w", err)
	if !errors.Is(wrapped, &Error{Code: ErrTransform}) {
		t.Error("errors.Is does not match the code through a wrap")
	}
	if errors.Is(wrapped, &Error{Code: ErrMalformed}) {
		t.Error("errors.Is matches another code")
	}
	if !errors.Is(wrapped, inner) {
		t.Error("the transform's error is not in the chain")
	}
	if CodeOf(wrapped) != ErrTransform || CodeOf(inner) != 0 || CodeOf(nil) != 0 {
		t.Error("CodeOf")
	}
	if s := err.Error(); s != "fle body: transform: d: seal failed" {
		t.Errorf("Error() = %q", s)
	}
	for c := ErrBodyTooLarge; c <= ErrTransform; c++ {
		if strings.HasPrefix(c.String(), "code(") {
			t.Errorf("code %d has no name", int(c))
		}
	}
}

func TestTransformErrorWrapped(t *testing.T) {
	inner := errors.New("no key")
	_, _, err := Rewrite("application/x-www-form-urlencoded", []byte("card="+card), nil, nil, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Rewrite("application/x-www-form-urlencoded", []byte("card="+card),
		func(string) bool { return true }, func(Field) ([]byte, error) { return nil, inner }, Limits{})
	if CodeOf(err) != ErrTransform || !errors.Is(err, inner) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), `"card"`) || !strings.Contains(err.Error(), "offset 5") {
		t.Errorf("detail does not name the field and offset: %v", err)
	}
}
