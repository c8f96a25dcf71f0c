//go:build unix

package testtool

import (
	"os/exec"
	"syscall"
)

// SetProcessGroup puts the child in a process group of its own, so that
// stopping it stops whatever it started too.
func SetProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// TerminateGroup asks the process group to stop (SIGTERM).
func TerminateGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

// KillGroup stops the process group (SIGKILL).
func KillGroup(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
