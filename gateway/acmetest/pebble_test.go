package acmetest

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStart: pebble answers its directory over HTTPS trusted through
// CAFile only, hands out its issuing root, and is gone after Stop.
func TestStart(t *testing.T) {
	p := Start(t, 0, 0)
	if !strings.HasPrefix(p.DirectoryURL(), "https://127.0.0.1:") {
		t.Fatalf("DirectoryURL = %q", p.DirectoryURL())
	}
	client := p.httpClient()
	defer client.CloseIdleConnections()
	resp, err := client.Get(p.DirectoryURL())
	if err != nil {
		t.Fatal(err)
	}
	var dir map[string]any
	err = json.NewDecoder(resp.Body).Decode(&dir)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"newAccount", "newNonce", "newOrder"} {
		if _, ok := dir[k]; !ok {
			t.Errorf("directory has no %s: %v", k, dir)
		}
	}

	// The system's roots do not trust pebble's HTTPS; CAFile does.
	if _, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{}}}).Get(p.DirectoryURL()); err == nil {
		t.Error("pebble's HTTPS verified without CAFile")
	}
	if pem, err := os.ReadFile(p.CAFile()); err != nil || !strings.Contains(string(pem), "BEGIN CERTIFICATE") {
		t.Errorf("CAFile %s: %v", p.CAFile(), err)
	}

	if roots := p.IssuerRoots(t); roots.Equal(p.pool) {
		t.Error("IssuerRoots is pebble's HTTPS CA, want the issuing root")
	}

	p.Stop()
	p.Stop()
	if _, err := client.Get(p.DirectoryURL()); err == nil {
		t.Error("pebble still answering after Stop")
	}
}

// TestBinaries: a variable naming something that is not an executable
// is an error that says which variable and how to install.
func TestBinaries(t *testing.T) {
	dir := t.TempDir()
	notExec, isExec := filepath.Join(dir, "not-executable"), filepath.Join(dir, "executable")
	for name, mode := range map[string]os.FileMode{notExec: 0o600, isExec: 0o700} {
		if err := os.WriteFile(name, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	for _, env := range []string{"EDGEWARD_PEBBLE", "EDGEWARD_PEBBLE_CHALLTESTSRV"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv("EDGEWARD_PEBBLE", isExec)
			t.Setenv("EDGEWARD_PEBBLE_CHALLTESTSRV", isExec)
			t.Setenv(env, notExec)
			_, _, err := Binaries()
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range []string{env + "=" + notExec, "not an executable file", "go install github.com/letsencrypt/pebble/v2/cmd/pebble@" + Version} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}
