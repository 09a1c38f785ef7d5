//go:build !linux

package gethnode

import "syscall"

// sysProcAttr has no parent-death signal to ask for outside Linux.
func sysProcAttr() *syscall.SysProcAttr { return nil }
