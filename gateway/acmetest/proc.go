package acmetest

import (
	"fmt"
	"os/exec"
	"sync"
	"time"
)

// stopTimeout is how long a child has between SIGTERM and SIGKILL.
const stopTimeout = 5 * time.Second

// proc is a running child process with its output kept.
type proc struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has been waited for
	out    *tailBuffer   // its stdout and stderr, the last bytes of
}

// startProc runs bin with args and env (the whole environment) in a
// process group of its own.
func startProc(name, bin string, args, env []string) (*proc, error) {
	p := &proc{name: name, cmd: exec.Command(bin, args...), exited: make(chan struct{}), out: &tailBuffer{max: 64 << 10}}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	setProcessGroup(p.cmd)
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", bin, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// alive returns an error once the process has exited.
func (p *proc) alive() error {
	select {
	case <-p.exited:
		return fmt.Errorf("%s exited: %v", p.name, p.cmd.ProcessState)
	default:
		return nil
	}
}

// stop ends the process group: SIGTERM, then SIGKILL after stopTimeout.
// It is safe to call more than once, and on nil.
func (p *proc) stop() {
	if p == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	terminateGroup(p.cmd)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		killGroup(p.cmd)
		<-p.exited
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if over := len(w.b) - w.max; over > 0 {
		w.b = append(w.b[:0], w.b[over:]...)
	}
	return len(p), nil
}

func (w *tailBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}
