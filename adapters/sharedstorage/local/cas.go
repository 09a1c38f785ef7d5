package local

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

const (
	tempPrefix = ".tmp-"
	// staleTemp is how old a temporary file must be before opening the
	// directory removes it: old enough that no write still owns it.
	staleTemp = time.Hour
)

// casDir is a content-addressed directory: <dir>/<2 hex>/<64 hex>.
type casDir struct {
	dir string
}

func openCASDir(dir string) (*casDir, error) {
	if dir == "" {
		return nil, errors.New("directory must not be empty")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	c := &casDir{dir: dir}
	c.removeStaleTemps(time.Now())
	return c, nil
}

func (c *casDir) path(h protocol.Hash) string {
	s := h.String()
	return filepath.Join(c.dir, s[:2], s)
}

func (c *casDir) has(h protocol.Hash) bool {
	fi, err := os.Stat(c.path(h))
	return err == nil && fi.Mode().IsRegular()
}

func (c *casDir) open(h protocol.Hash) (*os.File, error) {
	f, err := os.Open(c.path(h))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", h, messaging.ErrNotFound)
	}
	return f, err
}

// write streams r into the directory and returns its hash and size. When
// want is non-zero and the bytes hash differently, nothing is kept and the
// error wraps messaging.ErrBlobMismatch. When limit > 0, more than limit bytes
// is an error wrapping messaging.ErrTooLarge.
func (c *casDir) write(ctx context.Context, r io.Reader, want protocol.Hash, limit int64) (protocol.Hash, int64, error) {
	tmp, err := os.CreateTemp(c.dir, tempPrefix+"*")
	if err != nil {
		return protocol.Hash{}, 0, err
	}
	placed, closed := false, false
	defer func() {
		if !closed {
			_ = tmp.Close()
		}
		if !placed {
			_ = os.Remove(tmp.Name())
		}
	}()

	hasher := sha256.New()
	var src io.Reader = contextReader{ctx: ctx, r: r}
	if limit > 0 {
		src = io.LimitReader(src, limit+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, hasher), src)
	if err != nil {
		return protocol.Hash{}, 0, err
	}
	if limit > 0 && n > limit {
		return protocol.Hash{}, 0, fmt.Errorf("%w: more than %d bytes", messaging.ErrTooLarge, limit)
	}
	var got protocol.Hash
	hasher.Sum(got[:0])
	if !want.IsZero() && got != want {
		return protocol.Hash{}, 0, fmt.Errorf("%w: the bytes hash to %s, not %s", messaging.ErrBlobMismatch, got, want)
	}
	if c.has(got) {
		return got, n, nil
	}
	if err := tmp.Sync(); err != nil {
		return protocol.Hash{}, 0, err
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return protocol.Hash{}, 0, err
	}
	final := c.path(got)
	sub := filepath.Dir(final)
	if err := c.ensureSubdir(sub); err != nil {
		return protocol.Hash{}, 0, err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		// Where rename cannot replace a file (Windows, while a reader has it
		// open), a concurrent write of the same bytes got there first.
		if c.has(got) {
			return got, n, nil
		}
		return protocol.Hash{}, 0, err
	}
	placed = true
	if err := syncDir(sub); err != nil {
		return protocol.Hash{}, 0, err
	}
	return got, n, nil
}

// ensureSubdir creates sub if needed, and then fsyncs the top directory so
// the new entry survives a power loss along with the file renamed into it.
func (c *casDir) ensureSubdir(sub string) error {
	if _, err := os.Stat(sub); err == nil {
		return nil
	}
	if err := os.MkdirAll(sub, 0o750); err != nil {
		return err
	}
	return syncDir(c.dir)
}

func (c *casDir) removeStaleTemps(now time.Time) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleTemp {
			_ = os.Remove(filepath.Join(c.dir, e.Name()))
		}
	}
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" { // directories cannot be fsynced there
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// contextReader stops a long copy when its context ends.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (r contextReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
