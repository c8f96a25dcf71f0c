//go:build !unix

package acmetest

import "os/exec"

// Without process groups only the child itself is stopped.
func setProcessGroup(*exec.Cmd) {}

func terminateGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
