package crstest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Origin is a test origin that answers the way the CRS suite's backend,
// albedo, does: POST /reflect answers the status, headers and body a
// JSON document in the request asks for (the response-rule tests use
// it), and anything else is an empty 200.
func Origin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer r.Body.Close()
		if r.Method == http.MethodPost && strings.TrimSuffix(r.URL.Path, "/") == "/reflect" {
			reflect(w, r)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
	})
}

// reflection is albedo's /reflect document.
type reflection struct {
	Status      int               `json:"status"`
	Headers     map[string]string `json:"headers"`
	Body        string            `json:"body"`
	EncodedBody string            `json:"encodedBody"`
	LogMessage  string            `json:"logMessage"`
}

func reflect(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, "Failed to parse request body", http.StatusBadRequest)
		return
	}
	var spec reflection
	if err := json.Unmarshal(data, &spec); err != nil {
		http.Error(w, "Invalid JSON in request body", http.StatusBadRequest)
		return
	}
	if spec.Status != 0 && (spec.Status < 100 || spec.Status >= 600) {
		http.Error(w, fmt.Sprintf("Invalid status code: %d", spec.Status), http.StatusBadRequest)
		return
	}
	body := spec.Body
	if body == "" && spec.EncodedBody != "" {
		b, err := base64.StdEncoding.DecodeString(spec.EncodedBody)
		if err != nil {
			http.Error(w, "invalid base64 encoding of response body", http.StatusBadRequest)
			return
		}
		body = string(b)
	}
	for k, v := range spec.Headers {
		w.Header().Add(k, v)
	}
	if spec.Status == 0 {
		spec.Status = http.StatusOK
	}
	w.WriteHeader(spec.Status)
	_, _ = io.WriteString(w, body)
}
