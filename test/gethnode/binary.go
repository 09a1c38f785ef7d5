package gethnode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// Version is the geth release the harness runs. It must equal the
// go-ethereum version in go.mod (TestVersionMatchesGoMod checks), so the node
// under test speaks exactly what the bindings were generated for.
const Version = "v1.17.10"

const gethPackage = "github.com/ethereum/go-ethereum/cmd/geth"

// built remembers the binary once found, so the tests of one package do not
// take the lock again. It is test-harness state, not application state.
var built struct {
	sync.Mutex
	path string
}

// Binary returns the path of a geth [Version] binary, installing it into
// <repo>/.tools/geth-<Version>/ the first time (2–3 minutes cold; progress
// goes to stderr). Concurrent callers, in this process or in other test
// binaries, wait for one build: a lock file serialises them and the binary is
// renamed into place only once complete. ctx bounds the wait and the build.
func Binary(ctx context.Context) (string, error) {
	built.Lock()
	defer built.Unlock()
	if built.path != "" {
		return built.path, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	tools := filepath.Join(root, ".tools")
	dir := filepath.Join(tools, "geth-"+Version)
	path := filepath.Join(dir, "geth")
	if isExecutable(path) {
		built.path = path
		return path, nil
	}
	if err := os.MkdirAll(tools, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", tools, err)
	}
	unlock, err := lockFile(ctx, filepath.Join(tools, "geth-"+Version+".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if !isExecutable(path) { // another process may have built it while we waited
		if err := install(ctx, tools, dir); err != nil {
			return "", err
		}
	}
	built.path = path
	return path, nil
}

// install runs `go install` into a fresh directory beside dir and renames the
// binary into dir, so dir/geth is either absent or complete.
func install(ctx context.Context, tools, dir string) error {
	tmp, err := os.MkdirTemp(tools, "geth-build-")
	if err != nil {
		return fmt.Errorf("create build directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()

	fmt.Fprintf(os.Stderr, "gethnode: installing geth %s into %s (first run only, takes a few minutes)\n", Version, dir)
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "install", gethPackage+"@"+Version)
	cmd.Dir = tmp // outside the module: `go install pkg@version` needs no go.mod
	cmd.Env = append(os.Environ(), "GOBIN="+tmp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go install %s@%s: %w\n%s", gethPackage, Version, err, out.Bytes())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.Rename(filepath.Join(tmp, "geth"), filepath.Join(dir, "geth")); err != nil {
		return fmt.Errorf("move geth into place: %w", err)
	}
	fmt.Fprintf(os.Stderr, "gethnode: geth %s installed in %s\n", Version, time.Since(start).Round(time.Second))
	return nil
}

// repoRoot walks up from the working directory (the package directory under
// go test) to the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("look for go.mod: %w", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
