//go:build linux

package origin

import (
	"net"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/edgeward/edgeward/policy"
)

// fullBacklog returns the address of a loopback listener whose accept
// queue is full: Linux drops further SYNs, so a connect to it hangs until
// the connect timeout, without leaving the machine.
func fullBacklog(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
	// Fill the queue (nobody accepts), then check that it is full.
	for i := 0; i < 2; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("cannot fill a listen backlog on this system")
	return ""
}

func TestHTTPConnectTimeout(t *testing.T) {
	addr := fullBacklog(t)
	tests := []struct {
		name     string
		method   string
		attempts int
		want     string
		dials    int32
	}{
		{"GET retried", "GET", 2, "(2 attempts)", 2},
		{"POST once", "POST", 3, "(1 attempt)", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newHTTPOrigin(t, "http://"+addr, func(c *policy.Origin) {
				c.ConnectTimeout = policy.Duration(100 * time.Millisecond)
				c.ConnectionAttempts = tt.attempts
			})
			var dials atomic.Int32
			o.dialHook = func(string, error) { dials.Add(1) }
			var err error
			within(t, "connect timeout", func() {
				_, err = o.Fetch(request(t.Context(), tt.method, "/", "", nil))
			})
			oe := wantError(t, err, KindTimeout, "origin site: connect "+addr+": timed out after 100ms "+tt.want)
			if oe.Status() != 504 {
				t.Errorf("status %d, want 504", oe.Status())
			}
			if n := dials.Load(); n != tt.dials {
				t.Errorf("%d dials, want %d", n, tt.dials)
			}
		})
	}
}
