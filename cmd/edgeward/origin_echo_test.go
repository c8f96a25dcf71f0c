package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOriginEcho: the demo origin answers with the body it got, byte for
// byte; a bodiless request gets its method and path; an oversized body 413.
func TestOriginEcho(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()
	form := "name=Alice&card_number=ENC:v1:fle-demo:abc_-&x=%20"
	for _, c := range []struct {
		name, method, path, ct, body string
		status                       int
		want                         string
	}{
		{"form", "POST", "/checkout/pay", "application/x-www-form-urlencoded", form, 200, form},
		{"no body", "GET", "/a/b?q=1", "", "", 200, "GET /a/b?q=1\n"},
		{"too large", "POST", "/big", "text/plain", strings.Repeat("x", maxEchoBody+1), 413, "body over 1 MiB\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
			if c.ct != "" {
				req.Header.Set("Content-Type", c.ct)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status || !bytes.Equal(got, []byte(c.want)) {
				t.Fatalf("%d %q, want %d %q", resp.StatusCode, got, c.status, c.want)
			}
			if c.status == 200 && (resp.Header.Get("X-Echo-Method") != c.method || resp.Header.Get("X-Echo-Content-Type") != c.ct) {
				t.Errorf("headers %v", resp.Header)
			}
		})
	}
}
