package gateway

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestSlowClientCannotHoldConnection: a client that sends half a request
// head and then nothing is disconnected after read_header_timeout.
func TestSlowClientCannotHoldConnection(t *testing.T) {
	cfg := oneOriginConfig("http://127.0.0.1:9", "limits: {read_header_timeout: 1s, idle_timeout: 1s}", "", "")
	s := startGateway(t, writeConfig(t, "", cfg))
	for _, c := range []struct{ name, send string }{
		{"half a request head", "GET / HTTP/1.1\r\nHost: d.test\r\nX-Slow: a"},
		{"idle keep-alive connection", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", s.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			io.WriteString(conn, c.send)
			// Liveness bound: the server must close well before this.
			conn.SetReadDeadline(time.Now().Add(15 * time.Second))
			_, err = io.Copy(io.Discard, conn)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the gateway kept the connection open past read_header_timeout")
			}
		})
	}
}
