package generation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrBadPointer means the pointer file exists but does not say which
// generation serves: the node refuses to guess (serving generation 0 over
// a newer one would silently turn the read model back in time).
var ErrBadPointer = errors.New("generation pointer file is unreadable")

// pointer is what the pointer file records. Serving is the generation the
// node reads; Building, while a rebuild has not swapped, the generation
// being built (kept across a crash so the rebuild resumes into it);
// Retired, between a swap and the removal of its files, the generation
// that served before (removed at the next open if a crash came first).
type pointer struct {
	Serving  uint64  `json:"serving"`
	Building *uint64 `json:"building,omitempty"`
	Retired  *uint64 `json:"retired,omitempty"`
}

// maxPointerBytes bounds what readPointer reads: the file is a few dozen
// bytes, anything much larger is not ours.
const maxPointerBytes = 4096

// readPointer reads the pointer file; a missing file means generation 0
// serves and nothing is being built (a node from before generations).
func readPointer(path string) (pointer, error) {
	f, err := os.Open(path) //nolint:gosec // the path comes from the node's configuration
	if errors.Is(err, os.ErrNotExist) {
		return pointer{}, nil
	}
	if err != nil {
		return pointer{}, fmt.Errorf("%w: %w", ErrBadPointer, err)
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxPointerBytes+1))
	if err != nil {
		return pointer{}, fmt.Errorf("%w: %s: %w", ErrBadPointer, path, err)
	}
	p, err := decodePointer(b)
	if err != nil {
		return pointer{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// decodePointer parses the pointer file's bytes strictly: one JSON object,
// no unknown field, generations that cannot be the same file.
func decodePointer(b []byte) (pointer, error) {
	if len(b) > maxPointerBytes {
		return pointer{}, fmt.Errorf("%w: longer than %d bytes", ErrBadPointer, maxPointerBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p pointer
	if err := dec.Decode(&p); err != nil {
		return pointer{}, fmt.Errorf("%w: %w", ErrBadPointer, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return pointer{}, fmt.Errorf("%w: data after the JSON object", ErrBadPointer)
	}
	if p.Building != nil && *p.Building == p.Serving {
		return pointer{}, fmt.Errorf("%w: building generation %d is the serving one", ErrBadPointer, p.Serving)
	}
	if p.Retired != nil && *p.Retired == p.Serving {
		return pointer{}, fmt.Errorf("%w: retired generation %d is the serving one", ErrBadPointer, p.Serving)
	}
	return p, nil
}

// writePointer replaces the pointer file atomically and durably: a temp
// file beside it, fsynced, renamed over it, and the directory fsynced so
// the rename survives a power loss. A reader sees the old or the new file,
// never a mix, which is what makes a swap atomic across a crash.
func writePointer(path string, p pointer) (err error) {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(append(b, '\n')); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // the pointer's own directory
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

// Path names generation n's file for a component whose configured file is
// base: base itself for generation 0 (so a node from before generations
// keeps its read model), and base with "-n" before its extension after
// that: data/readmodel.db, data/readmodel-1.db, data/readmodel-2.db, ...
func Path(base string, n uint64) string {
	if n == 0 {
		return base
	}
	ext := filepath.Ext(base)
	return strings.TrimSuffix(base, ext) + "-" + strconv.FormatUint(n, 10) + ext
}
