package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeward/edgeward/gateway/internal/testtool"
)

// Region is the region the server signs and checks signatures for.
const Region = "us-east-1"

// Version is the versitygw release the tests are written against (what
// `make tools` installs).
const Version = "v1.8.0"

// Time bounds; they are liveness limits, never assertions about speed.
const (
	readyTimeout = 30 * time.Second // from exec to answering HTTP
	stopTimeout  = 5 * time.Second  // from SIGTERM to SIGKILL
	startTries   = 3                // a free port may be taken before versitygw binds it
)

// Server is a running versitygw.
type Server struct {
	bin      string
	endpoint string // http://127.0.0.1:port
	data     string // the POSIX backend's directory: a folder per bucket
	access   string
	secret   string

	cmd    *exec.Cmd
	exited chan struct{}  // closed when the process has been waited for
	out    *testtool.Tail // its stdout and stderr, the last bytes of
}

// Start runs versitygw for the rest of t (see the package comment for
// where the binary is found and what happens without it) and returns once
// it answers HTTP requests. The server is stopped, and its files removed,
// when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv("EDGEWARD_REQUIRE_TOOLS") == "1" {
			t.Fatalf("versitygw is required (EDGEWARD_REQUIRE_TOOLS=1): %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	dir := t.TempDir()
	s := &Server{bin: bin, access: "EDGEWARDTEST" + randomHex(4), secret: randomHex(20)}
	var last error
	for try := 0; try < startTries; try++ {
		if last = s.start(t, dir); last == nil {
			return s
		}
	}
	t.Fatalf("versitygw did not start: %v", last)
	return nil
}

// start runs the server once on a free port; on failure it has been
// stopped again.
func (s *Server) start(t testing.TB, dir string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	data, iam := filepath.Join(dir, "data"), filepath.Join(dir, "iam")
	for _, d := range []string{data, iam} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	s.data = data
	addr := net.JoinHostPort("127.0.0.1", port)
	s.endpoint = "http://" + addr
	s.out = &testtool.Tail{Max: 64 << 10}
	s.cmd = exec.Command(s.bin,
		"--port", addr,
		"--region", Region,
		"--iam-dir", iam, // enables CreateUser
		"--keep-alive",
		"--quiet",
		"posix", data)
	s.cmd.Env = append(childEnv(), "ROOT_ACCESS_KEY_ID="+s.access, "ROOT_SECRET_ACCESS_KEY="+s.secret)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	testtool.SetProcessGroup(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", s.bin, err)
	}
	s.exited = make(chan struct{})
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(); err != nil {
		s.stop()
		return fmt.Errorf("%w; its output:\n%s", err, s.out.String())
	}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("versitygw output:\n%s", s.out.String())
		}
	})
	return nil
}

// waitReady polls until the server answers any HTTP response (an
// anonymous request for "/" is denied: that is an answer).
func (s *Server) waitReady() error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("versitygw exited: %v", s.cmd.ProcessState)
		default:
		}
		resp, err := client.Get(s.endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("versitygw not answering at %s after %s: %v", s.endpoint, readyTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the process group (versitygw and anything it started):
// SIGTERM, then SIGKILL if it has not exited in stopTimeout.
func (s *Server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	testtool.TerminateGroup(s.cmd)
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		testtool.KillGroup(s.cmd)
		<-s.exited
	}
}

// Stop ends the server before the test does (to test failover, say). It
// is safe to call more than once; the test's cleanup calls it again.
func (s *Server) Stop() { s.stop() }

// Endpoint is the server's URL, "http://127.0.0.1:port".
func (s *Server) Endpoint() string { return s.endpoint }

// AccessKey is the root user's access key id.
func (s *Server) AccessKey() string { return s.access }

// SecretKey is the root user's secret access key.
func (s *Server) SecretKey() string { return s.secret }

// Region is the region signatures must name.
func (s *Server) Region() string { return Region }

// Binary returns the versitygw to run: $EDGEWARD_VERSITYGW when set, else
// versitygw on PATH, else .tools/bin/versitygw under the module root. The
// error says where it looked and how to install it.
func Binary() (string, error) {
	return testtool.Find("versitygw", "EDGEWARD_VERSITYGW", fmt.Sprintf(
		"install it with `make tools`, or: GOBIN=%s go install github.com/versity/versitygw/cmd/versitygw@%s", testtool.ToolsBin(), Version))
}

// childEnv is the test's environment without what versitygw would read.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VGW_") || strings.HasPrefix(kv, "ROOT_") || strings.HasPrefix(kv, "ADMIN_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// runAdmin runs `versitygw admin` against the server as root.
func (s *Server) runAdmin(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, s.bin, append([]string{"admin", "--endpoint-url", s.endpoint}, args...)...)
	cmd.Env = append(childEnv(), "ADMIN_ACCESS_KEY_ID="+s.access, "ADMIN_SECRET_ACCESS_KEY="+s.secret, "ADMIN_REGION="+Region)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("versitygw admin %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
