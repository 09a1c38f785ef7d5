//go:build linux

package gethnode

import "syscall"

// sysProcAttr makes the kernel kill geth if the test binary dies without
// running its cleanups (a -timeout panic, a SIGKILL), so no orphan keeps the
// ports.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
