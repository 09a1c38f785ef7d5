package gethnode

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Process is a geth --dev started outside a test by [StartProcess]: a
// [Node] whose data directory is a fresh temporary directory that
// [Process.Close] removes.
type Process struct {
	*Node
	dir string
}

// StartProcess is [Start] for programs that are not tests (the benchmark
// command): it builds or finds geth, runs it --dev on free loopback ports
// with its chain in a new temporary directory, and returns once it answers
// JSON-RPC with the funded dev account. Unlike Start it reports a missing or
// failing geth as an error. The caller must Close the process.
func StartProcess(ctx context.Context, opts Options) (*Process, error) {
	if opts.BlockPeriod < 0 || opts.BlockPeriod%time.Second != 0 {
		return nil, fmt.Errorf("gethnode: BlockPeriod %s is not a whole number of seconds", opts.BlockPeriod)
	}
	if opts.CacheMB == 0 {
		opts.CacheMB = 64
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 30 * time.Second
	}
	bin, err := Binary(ctx)
	if err != nil {
		return nil, fmt.Errorf("gethnode: %w", err)
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, fmt.Errorf("gethnode: %w", err)
	}
	dir, err := os.MkdirTemp("", "gethnode-")
	if err != nil {
		return nil, fmt.Errorf("gethnode: %w", err)
	}
	n := &Node{
		HTTPURL: "http://127.0.0.1:" + strconv.Itoa(ports[0]),
		WSURL:   "ws://127.0.0.1:" + strconv.Itoa(ports[1]),
		Key:     DevKey,
		Address: DevAddress,
		DataDir: filepath.Join(dir, "data"),
		LogPath: filepath.Join(dir, "geth.log"),
		bin:     bin,
		timeout: opts.StartTimeout,
		client:  &http.Client{Timeout: 10 * time.Second},
	}
	n.args = n.commandLine(ports, opts)
	p := &Process{Node: n, dir: dir}
	if err := n.start(ctx); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("gethnode: %w", err)
	}
	if err := n.checkAccount(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("gethnode: %w", err), p.Close())
	}
	return p, nil
}

// Close stops geth (see [Node.Stop]) and removes its temporary directory.
func (p *Process) Close() error {
	err := p.Stop()
	return errors.Join(err, os.RemoveAll(p.dir))
}
