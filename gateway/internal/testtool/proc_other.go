//go:build !unix

package testtool

import "os/exec"

// Without process groups only the child itself is stopped.
// SetProcessGroup would put the child in a group of its own.
func SetProcessGroup(*exec.Cmd) {}

// TerminateGroup asks the process group to stop (SIGTERM).
func TerminateGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

// KillGroup stops the process group (SIGKILL).
func KillGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
