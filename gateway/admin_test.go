package gateway

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAdminAPI(t *testing.T) {
	o := newEchoOrigin(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "token"), []byte("secret-token\n"), 0o600)
	cfg := oneOriginConfig(o.URL, `admin: {token_file: token}
access_log: {path: off}`, "", "")
	s := startGateway(t, writeConfig(t, dir, cfg))
	admin := "http://" + s.AdminAddr()

	do(t, http.DefaultClient, "GET", "http://"+s.Addr()+"/x", "d.test", nil, nil)
	do(t, http.DefaultClient, "POST", "http://"+s.Addr()+"/x", "d.test", nil, nil)

	for _, c := range []struct {
		method, path, token string
		status              int
		contains            []string
	}{
		{"GET", "/healthz", "", 200, []string{`"ok"`}},
		{"GET", "/readyz", "", 200, []string{`"ready"`}},
		{"GET", "/metrics", "", 200, []string{
			`edgeward_requests_total{distribution="d",result="Miss",status="200"} 1`,
			`edgeward_requests_total{distribution="d",result="Error",status="405"} 1`,
			`edgeward_denials_total{distribution="d",reason="method not allowed",stage="methods"} 1`,
			`edgeward_origin_response_seconds_count{distribution="d",origin="o"} 1`,
			`edgeward_sent_bytes_total{distribution="d"}`,
			`edgeward_received_bytes_total{distribution="d"}`,
		}},
		{"POST", "/reload", "", 401, []string{"bearer token"}},
		{"POST", "/reload", "wrong", 401, []string{"bearer token"}},
		{"POST", "/reload", "secret-token", 200, []string{"reloaded"}},
		{"GET", "/reload", "secret-token", 405, nil},
	} {
		hdr := http.Header{}
		if c.token != "" {
			hdr.Set("Authorization", "Bearer "+c.token)
		}
		resp, body := do(t, http.DefaultClient, c.method, admin+c.path, "", hdr, nil)
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d: %s", c.method, c.path, resp.StatusCode, c.status, body)
		}
		for _, want := range c.contains {
			if !strings.Contains(body, want) {
				t.Errorf("%s %s: body lacks %q", c.method, c.path, want)
			}
		}
	}
	resp, body := do(t, http.DefaultClient, "GET", admin+"/metrics", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `edgeward_config_reloads_total{result="success"} 1`) {
		t.Errorf("reload not counted in metrics")
	}
}

func TestAdminReloadRefusedWithoutToken(t *testing.T) {
	o := newEchoOrigin(t)
	cfg := oneOriginConfig(o.URL, "", "", "")
	s := startGateway(t, writeConfig(t, "", cfg))
	resp, body := do(t, http.DefaultClient, "POST", "http://"+s.AdminAddr()+"/reload", "", http.Header{"Authorization": {"Bearer "}}, nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "token_file") {
		t.Fatalf("status %d %q, want 403 naming token_file", resp.StatusCode, body)
	}
}
