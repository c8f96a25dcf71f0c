package acmetest

import (
	"fmt"
	"os/exec"
	"time"

	"github.com/edgeward/edgeward/gateway/internal/testtool"
)

// stopTimeout is how long a child has between SIGTERM and SIGKILL.
const stopTimeout = 5 * time.Second

// proc is a running child process with its output kept.
type proc struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{}  // closed when the process has been waited for
	out    *testtool.Tail // its stdout and stderr, the last bytes of
}

// startProc runs bin with args and env (the whole environment) in a
// process group of its own.
func startProc(name, bin string, args, env []string) (*proc, error) {
	p := &proc{name: name, cmd: exec.Command(bin, args...), exited: make(chan struct{}), out: &testtool.Tail{Max: 64 << 10}}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	testtool.SetProcessGroup(p.cmd)
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
	testtool.TerminateGroup(p.cmd)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		testtool.KillGroup(p.cmd)
		<-p.exited
	}
}
