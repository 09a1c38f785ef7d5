package gethnode

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DevKey is the private key (hex, no 0x) of the account geth --dev funds at
// genesis and keeps unlocked: go-ethereum's fixed developer key
// (cmd/utils.DeveloperKey), used whenever the data directory has no keystore
// account yet. DevAddress is its address.
const (
	DevKey     = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"
	DevAddress = "0x71562b71999873DB5b286dF957af199Ec94617F7"
)

// Options tune the node. The zero value mines one block per transaction.
type Options struct {
	// BlockPeriod, when non-zero, mines a block on this period (whole seconds)
	// even without transactions (--dev.period); zero mines one block as each
	// transaction arrives.
	BlockPeriod time.Duration
	// GasLimit sets the block gas limit (--dev.gaslimit); zero keeps geth's.
	GasLimit uint64
	// CacheMB is geth's --cache in megabytes; default 64 (see commandLine).
	CacheMB int
	// StartTimeout bounds the wait for the node to answer; default 30 s.
	StartTimeout time.Duration
	// ExtraArgs are appended to geth's command line.
	ExtraArgs []string
}

// Node is a running geth --dev. Its chain lives in DataDir, so [Node.Restart]
// keeps it; the directory is removed when the test ends.
//
// Like any geth, the node answers eth_getTransactionReceipt (and
// eth_getTransactionByHash) for a transaction it has not indexed with error
// -32000 "transaction indexing is in progress" until its transaction indexer
// has run: on a fresh chain that is until the first block is mined, after a
// restart until the indexer catches up. Clients must treat it as "not yet".
type Node struct {
	HTTPURL string // http://127.0.0.1:port
	WSURL   string // ws://127.0.0.1:port
	ChainID uint64 // 1337
	Key     string // funded, unlocked account's private key: [DevKey]
	Address string // its address: [DevAddress]
	DataDir string
	LogPath string // geth's output, appended across restarts

	bin     string
	args    []string
	timeout time.Duration
	client  *http.Client

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has been waited for
	waitErr error
}

// Start runs geth --dev on free loopback ports and returns once it answers
// eth_chainId. The node is stopped when the test ends; its log is attached to
// the test output if the test failed. If geth cannot be built or started the
// test is skipped, or fails under LM_REQUIRE_SERVICES=1.
func Start(t testing.TB, opts Options) *Node {
	t.Helper()
	if opts.BlockPeriod < 0 || opts.BlockPeriod%time.Second != 0 {
		t.Fatalf("gethnode: BlockPeriod %s is not a whole number of seconds", opts.BlockPeriod)
	}
	if opts.CacheMB == 0 {
		opts.CacheMB = 64
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 30 * time.Second
	}
	ctx := t.Context() // bounds the build and the start-up
	bin, err := Binary(ctx)
	if err != nil {
		unavailable(t, "%v", err)
	}
	ports, err := freePorts(2)
	if err != nil {
		unavailable(t, "%v", err)
	}
	n := &Node{
		HTTPURL: "http://127.0.0.1:" + strconv.Itoa(ports[0]),
		WSURL:   "ws://127.0.0.1:" + strconv.Itoa(ports[1]),
		Key:     DevKey,
		Address: DevAddress,
		DataDir: t.TempDir(),
		LogPath: filepath.Join(t.TempDir(), "geth.log"),
		bin:     bin,
		timeout: opts.StartTimeout,
		client:  &http.Client{Timeout: 10 * time.Second},
	}
	n.args = n.commandLine(ports, opts)

	// Cleanups run last-registered first: stop geth, then show its log.
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("gethnode: geth log (%s):\n%s", n.LogPath, logTail(n.LogPath, 64<<10))
		}
	})
	t.Cleanup(func() {
		began := time.Now()
		if err := n.Stop(); err != nil {
			t.Logf("gethnode: %v", err)
		}
		t.Logf("gethnode: geth stopped after %s", time.Since(began).Round(time.Millisecond))
	})
	began := time.Now()
	if err := n.start(ctx); err != nil {
		unavailable(t, "%v", err)
	}
	t.Logf("gethnode: geth --dev answering on %s after %s", n.HTTPURL, time.Since(began).Round(time.Millisecond))
	if err := n.checkAccount(ctx); err != nil {
		t.Fatalf("gethnode: %v", err)
	}
	return n
}

func (n *Node) commandLine(ports []int, opts Options) []string {
	args := []string{
		"--dev",
		"--datadir", n.DataDir,
		"--ipcdisable",
		"--nodiscover", "--maxpeers", "0",
		"--http", "--http.addr", "127.0.0.1", "--http.port", strconv.Itoa(ports[0]),
		"--http.api", "eth,net,web3,txpool,debug",
		"--ws", "--ws.addr", "127.0.0.1", "--ws.port", strconv.Itoa(ports[1]),
		"--ws.api", "eth,net,web3,txpool,debug", "--ws.origins", "*",
		// geth's default cache (GiBs in dev mode) sizes pebble's memtables, and pebble
		// preallocates its write-ahead logs to match: ~1.4 GB of disk per
		// node. 64 MB keeps a dev datadir under 20 MB and is ample for it.
		"--cache", strconv.Itoa(opts.CacheMB),
	}
	if opts.BlockPeriod > 0 {
		args = append(args, "--dev.period", strconv.FormatInt(int64(opts.BlockPeriod/time.Second), 10))
	}
	if opts.GasLimit > 0 {
		args = append(args, "--dev.gaslimit", strconv.FormatUint(opts.GasLimit, 10))
	}
	return append(args, opts.ExtraArgs...)
}

// Call makes one JSON-RPC request to the node over HTTP and decodes its
// result into result (nil discards it).
func (n *Node) Call(ctx context.Context, result any, method string, params ...any) error {
	return call(ctx, n.client, n.HTTPURL, result, method, params...)
}

// Stop ends geth: SIGTERM, then SIGKILL after 5 s. Stopping a stopped node
// does nothing. It returns an error only if geth had to be killed.
func (n *Node) Stop() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return nil
	}
	cmd, exited := n.cmd, n.exited
	n.cmd = nil
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		_ = cmd.Process.Kill() // already gone, or no SIGTERM on this platform
	}
	select {
	case <-exited:
		return nil
	case <-time.After(5 * time.Second):
	}
	_ = cmd.Process.Kill()
	<-exited
	return errors.New("geth did not stop within 5s of SIGTERM and was killed")
}

// Restart stops geth and starts it again on the same ports and data
// directory: the chain, the funded account and its nonce are kept. It returns
// once the node answers again. If geth had to be killed it is not restarted:
// a killed geth has not flushed its state and may come back with a shorter
// chain, which is not what a caller of Restart asked for.
func (n *Node) Restart(ctx context.Context) error {
	if err := n.Stop(); err != nil {
		return err
	}
	return n.start(ctx)
}

// start launches geth with n.args and waits until it answers.
func (n *Node) start(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		return errors.New("geth is already running")
	}
	logf, err := os.OpenFile(n.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open geth log: %w", err)
	}
	cmd := exec.Command(n.bin, n.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("start geth: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		_ = logf.Close()
		n.waitErr = err
		close(exited)
	}()
	n.cmd, n.exited = cmd, exited
	if err := n.awaitReady(ctx, exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		n.cmd = nil
		return err
	}
	return nil
}

// awaitReady polls eth_chainId until geth answers, exits, or the start
// timeout passes. It does not wait for the transaction indexer (see Node).
func (n *Node) awaitReady(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	var lastErr error
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, time.Second)
		var id string
		lastErr = call(attempt, n.client, n.HTTPURL, &id, "eth_chainId")
		cancelAttempt()
		if lastErr == nil {
			chainID, err := parseQuantity(id)
			if err != nil {
				return fmt.Errorf("eth_chainId: %w", err)
			}
			n.ChainID = chainID
			return nil
		}
		select {
		case <-exited:
			exit := n.waitErr
			if exit == nil {
				exit = errors.New("exit status 0")
			}
			return fmt.Errorf("geth exited during start-up (%w); log:\n%s", exit, logTail(n.LogPath, 8<<10))
		case <-ctx.Done():
			return fmt.Errorf("geth did not answer eth_chainId on %s within %s (last error: %w); log:\n%s",
				n.HTTPURL, n.timeout, lastErr, logTail(n.LogPath, 8<<10))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// checkAccount confirms the node's unlocked account is the one whose key Key
// holds, so transactions signed with Key are funded.
func (n *Node) checkAccount(ctx context.Context) error {
	var accounts []string
	if err := n.Call(ctx, &accounts, "eth_accounts"); err != nil {
		return err
	}
	if len(accounts) == 0 || !strings.EqualFold(accounts[0], DevAddress) {
		return fmt.Errorf("dev account is %v, want %s (the address of DevKey)", accounts, DevAddress)
	}
	return nil
}

// freePorts asks the kernel for count distinct free loopback ports. They are
// free when returned; geth binds them a moment later.
func freePorts(count int) ([]int, error) {
	ports := make([]int, 0, count)
	for range count {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer func() { _ = l.Close() }()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
