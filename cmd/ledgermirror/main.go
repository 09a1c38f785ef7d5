package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

// defaultGCPercent is the Go collector's target when GOGC is not set: a node
// keeps a modest live heap but allocates quickly while it decodes batches,
// and at Go's default of 100 the heap doubles its live size between
// collections. 50 keeps the resident set about a third smaller (measured
// with bench e2e) for a few per cent more CPU. GOGC overrides it.
const defaultGCPercent = 50

// Exit codes shared by every command.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Environ())
	stop()
	os.Exit(code)
}

// run executes the CLI and turns its outcome into an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env []string) int {
	cmd := newRootCommand(stdout, stderr, env)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "ledgermirror: %v\n", err)
	var ue *usageError
	switch {
	// cobra reports an unknown subcommand with a plain error.
	case errors.As(err, &ue), strings.HasPrefix(err.Error(), "unknown command"):
		return exitUsage
	case ctx.Err() != nil:
		return exitInterrupted
	default:
		return exitFailure
	}
}
