package rules

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func responseSpec() Spec {
	s := baseSpec()
	s.ResponseInspection = true
	return s
}

// TestInspectResponse: a response that leaks is refused in the response
// phases; a clean one passes whole; non-text bodies stream unread.
func TestInspectResponse(t *testing.T) {
	e := engine(t, responseSpec())
	leak := "<html>Warning: mysql_fetch_array() expects parameter 1 to be resource, boolean given in /var/www/x.php on line 3</html>"
	for _, c := range []struct {
		name, contentType, body string
		allowed                 bool
		rule                    int
	}{
		{"clean page", "text/html", "<html>hello</html>", true, 0},
		{"SQL error leak", "text/html; charset=utf-8", leak, false, 951230},
		{"leak in a type Coraza does not inspect", "application/octet-stream", leak, true, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := inspect(t, e, get("/page", nil))
			if !v.InspectsResponse() {
				t.Fatal("InspectsResponse is false with response inspection on")
			}
			rv := v.InspectResponse(200, "HTTP/1.1", http.Header{"Content-Type": {c.contentType}}, strings.NewReader(c.body))
			if rv.Allowed != c.allowed {
				t.Fatalf("allowed %v (%s), want %v; rules %v", rv.Allowed, rv.Detail, c.allowed, rv.RuleIDs)
			}
			if c.rule != 0 && (!slices.Contains(rv.RuleIDs, c.rule) || rv.Status != 403 || rv.Reason != "response blocked by the WAF") {
				t.Errorf("status %d reason %q rules %v, want 403 with %d", rv.Status, rv.Reason, rv.RuleIDs, c.rule)
			}
			if c.allowed {
				if got, _ := io.ReadAll(rv.Body); string(got) != c.body {
					t.Errorf("body %q, want %q", got, c.body)
				}
			}
		})
	}
}

// TestResponseNotHeldBack: with response inspection off, or for a body
// Coraza does not inspect (Server-Sent Events), InspectResponse hands
// back the body reader itself: nothing is read ahead.
func TestResponseNotHeldBack(t *testing.T) {
	stream := &countingReader{r: strings.NewReader("data: 1\n\n")}
	v := inspect(t, engine(t, baseSpec()), get("/events", nil))
	if v.InspectsResponse() {
		t.Fatal("InspectsResponse with response inspection off")
	}
	if rv := v.InspectResponse(200, "HTTP/1.1", http.Header{"Content-Type": {"text/event-stream"}}, stream); rv.Body != io.Reader(stream) || stream.n != 0 {
		t.Error("the response was wrapped or read with response inspection off")
	}
	v = inspect(t, engine(t, responseSpec()), get("/events", nil))
	if rv := v.InspectResponse(200, "HTTP/1.1", http.Header{"Content-Type": {"text/event-stream"}}, stream); !rv.Allowed || rv.Body != io.Reader(stream) || stream.n != 0 {
		t.Error("an event stream was read ahead by response inspection")
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestResponseBodyLimit: only the first ResponseBodyLimit bytes are
// inspected; the whole body is handed on.
func TestResponseBodyLimit(t *testing.T) {
	s := responseSpec()
	s.ResponseBodyLimit = 32
	leak := strings.Repeat("x", 64) + "Warning: mysql_fetch_array() expects parameter 1"
	v := inspect(t, engine(t, s), get("/page", nil))
	rv := v.InspectResponse(200, "HTTP/1.1", http.Header{"Content-Type": {"text/plain"}}, iotest.HalfReader(strings.NewReader(leak)))
	if !rv.Allowed {
		t.Fatalf("refused (%s); the leak is past the inspected prefix", rv.Detail)
	}
	if got, _ := io.ReadAll(rv.Body); string(got) != leak {
		t.Errorf("body %q, want the whole %d bytes", got, len(leak))
	}
}

// TestResponseFailClosed: a response body that cannot be read is a 502
// refusal.
func TestResponseFailClosed(t *testing.T) {
	v := inspect(t, engine(t, responseSpec()), get("/page", nil))
	rv := v.InspectResponse(200, "HTTP/1.1", http.Header{"Content-Type": {"text/html"}}, io.MultiReader(strings.NewReader("<html>"), failingReader{}))
	if rv.Allowed || rv.Status != 502 || rv.Detail != "reading the response body: unexpected EOF" {
		t.Fatalf("allowed %v status %d detail %q", rv.Allowed, rv.Status, rv.Detail)
	}
}
