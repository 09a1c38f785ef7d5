package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes shared by every command.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
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
