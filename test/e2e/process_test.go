//go:build integration

package e2e_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The ledgermirror binary, built once per test run on first use.
var (
	binaryOnce sync.Once
	binaryDir  string
	binaryPath string
	errBinary  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		_ = os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// binary builds ./cmd/ledgermirror into a temporary directory (once) and
// returns its path.
func binary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		if binaryDir, errBinary = os.MkdirTemp("", "ledgermirror-e2e-"); errBinary != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "ledgermirror")
		out, err := exec.Command("go", "build", "-o", binaryPath, "github.com/ledgermirror/ledgermirror/cmd/ledgermirror").CombinedOutput()
		if err != nil {
			errBinary = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	require.NoError(t, errBinary, "building the ledgermirror binary")
	return binaryPath
}

// proc is a ledgermirror subprocess: its stdout lines are kept for
// waitLine, its stderr for the report of a failing test. It is killed when
// the test ends if it still runs.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stderr *logBuffer
	done   chan struct{} // closed once the process has exited

	mu    sync.Mutex
	lines []string
	state *os.ProcessState
}

// startProc runs the binary with args.
func startProc(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, cmd: exec.Command(binary(t), args...), stderr: &logBuffer{}, done: make(chan struct{})}
	p.cmd.Stderr = p.stderr
	// The configuration is the test's alone: no LM_* variable of the
	// environment the tests run in.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LM_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start(), "starting %s", name)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
		}
		_ = p.cmd.Wait() // the exit status is in ProcessState
		p.mu.Lock()
		p.state = p.cmd.ProcessState
		p.mu.Unlock()
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s (%s): stdout:\n%s\nstderr (tail):\n%s", name, strings.Join(args, " "), p.stdout(), p.stderr.String())
		}
	})
	return p
}

func (p *proc) stdout() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// waitLine returns the first stdout line from line number from on that
// contains s, with its number; it fails the test if the process exits or
// timeout passes first.
func (p *proc) waitLine(t *testing.T, from int, s string, timeout time.Duration) (string, int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p.mu.Lock()
		lines := p.lines
		p.mu.Unlock()
		for i := from; i < len(lines); i++ {
			if strings.Contains(lines[i], s) {
				return lines[i], i
			}
		}
		from = len(lines)
		select {
		case <-p.done:
			p.mu.Lock()
			exited := len(p.lines) == len(lines)
			p.mu.Unlock()
			if exited {
				require.FailNowf(t, "process exited", "%s exited (%v) before printing %q", p.name, p.exitState(), s)
			}
		default:
		}
		if time.Now().After(deadline) {
			require.FailNowf(t, "timed out", "%s did not print %q within %s", p.name, s, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *proc) exitState() *os.ProcessState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Kill())
	<-p.done
}

// interrupt sends SIGINT and returns the exit code, failing the test if the
// process does not exit within timeout.
func (p *proc) interrupt(t *testing.T, timeout time.Duration) int {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
	select {
	case <-p.done:
		return p.exitState().ExitCode()
	case <-time.After(timeout):
		require.FailNowf(t, "no exit", "%s still runs %s after SIGINT", p.name, timeout)
		return -1
	}
}

// freePorts returns n distinct loopback ports nobody listens on now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var held []net.Listener
	defer func() {
		for _, ln := range held {
			_ = ln.Close()
		}
	}()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		held = append(held, ln)
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// freeBase finds a base port for `ledgermirror dev --members members`:
// base .. base+members-1 (API) and base+100 .. base+100+members-1 (data
// exchange) all free.
func freeBase(t *testing.T, members int) int {
	t.Helper()
	for range 20 {
		base := freePorts(t, 1)[0]
		if base+100+members > 65535 {
			continue
		}
		var held []net.Listener
		ok := true
		for i := range members {
			for _, port := range []int{base + i, base + 100 + i} {
				ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
				if err != nil {
					ok = false
					break
				}
				held = append(held, ln)
			}
		}
		for _, ln := range held {
			_ = ln.Close()
		}
		if ok {
			return base
		}
	}
	require.FailNow(t, "no free base port with base+100 free too after 20 tries")
	return 0
}

// memberClients reads `member orgN api=URL dx=URL` lines for org1 ..
// org<members>, from stdout line number from on, and returns an API client
// per member, org1 first, with the number of the line after the last read.
func memberClients(t *testing.T, p *proc, from, members int, timeout time.Duration) ([]*apiClient, int) {
	t.Helper()
	clients := make([]*apiClient, members)
	for i := range members {
		var at int
		clients[i], at = memberClient(t, p, from, fmt.Sprintf("org%d", i+1), timeout)
		from = max(from, at+1)
	}
	return clients, from
}

// memberClient reads org's `member <org> api=URL dx=URL` line and returns an
// API client for it, with the line's number.
func memberClient(t *testing.T, p *proc, from int, org string, timeout time.Duration) (*apiClient, int) {
	t.Helper()
	line, at := p.waitLine(t, from, "member "+org+" api=", timeout)
	fields := strings.Fields(line)
	require.Len(t, fields, 4, "member line %q", line)
	return newAPIClient(strings.TrimPrefix(fields[2], "api=")), at
}
