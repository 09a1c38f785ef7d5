package local

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func newBlobStore(t *testing.T) (*BlobStore, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	s, err := NewBlobStore(dir)
	require.NoError(t, err)
	return s, dir
}

func readAll(t *testing.T, s *BlobStore, h protocol.Hash) []byte {
	t.Helper()
	rc, err := s.Open(h)
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return b
}

// entries lists every file under dir, temporary ones included.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	}))
	return out
}

func TestBlobStoreWrite(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	cases := []struct {
		name    string
		content []byte
		want    func(h protocol.Hash) protocol.Hash
		err     error
	}{
		{"unchecked", []byte("hello"), func(protocol.Hash) protocol.Hash { return protocol.Hash{} }, nil},
		{"checked", []byte("hello"), func(h protocol.Hash) protocol.Hash { return h }, nil},
		{"empty", []byte{}, func(h protocol.Hash) protocol.Hash { return h }, nil},
		{"large", big, func(h protocol.Hash) protocol.Hash { return h }, nil},
		{"mismatch", []byte("hello"), func(protocol.Hash) protocol.Hash { return protocol.SHA256([]byte("other")) }, messaging.ErrBlobMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, dir := newBlobStore(t)
			h := protocol.SHA256(tc.content)
			got, n, err := s.Write(context.Background(), bytes.NewReader(tc.content), tc.want(h))
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.False(t, s.Has(h))
				assert.Empty(t, entries(t, dir), "nothing kept, no temporary file left")
				_, err := s.Open(h)
				assert.ErrorIs(t, err, messaging.ErrNotFound)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, h, got)
			assert.Equal(t, int64(len(tc.content)), n)
			assert.True(t, s.Has(h))
			assert.Equal(t, tc.content, readAll(t, s, h))
			hex := h.String()
			assert.Equal(t, []string{hex[:2] + "/" + hex}, entries(t, dir), "one file at <2 hex>/<hex>")
		})
	}
}

func TestBlobStoreIdempotent(t *testing.T) {
	s, dir := newBlobStore(t)
	content := []byte("same bytes")
	for range 3 {
		h, n, err := s.Write(context.Background(), bytes.NewReader(content), protocol.SHA256(content))
		require.NoError(t, err)
		assert.Equal(t, protocol.SHA256(content), h)
		assert.Equal(t, int64(len(content)), n)
	}
	assert.Len(t, entries(t, dir), 1)
	assert.Equal(t, content, readAll(t, s, protocol.SHA256(content)))
}

func TestBlobStoreConcurrentWritesOfTheSameBlob(t *testing.T) {
	s, dir := newBlobStore(t)
	content := bytes.Repeat([]byte("concurrent"), 100_000)
	h := protocol.SHA256(content)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() {
			got, _, err := s.Write(context.Background(), bytes.NewReader(content), h)
			if err == nil && got != h {
				err = errors.New("wrong hash")
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.Len(t, entries(t, dir), 1, "one file, no temporary left")
	assert.Equal(t, content, readAll(t, s, h))
}

func TestBlobStoreOpenMissing(t *testing.T) {
	s, _ := newBlobStore(t)
	h := protocol.SHA256([]byte("absent"))
	assert.False(t, s.Has(h))
	_, err := s.Open(h)
	assert.ErrorIs(t, err, messaging.ErrNotFound)
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	k := min(len(p), r.n)
	r.n -= k
	return k, nil
}

func TestBlobStoreWriteFailuresKeepNothing(t *testing.T) {
	s, dir := newBlobStore(t)
	_, _, err := s.Write(context.Background(), &failingReader{n: 100_000}, protocol.Hash{})
	assert.ErrorContains(t, err, "disk on fire")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = s.Write(ctx, strings.NewReader("x"), protocol.Hash{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, entries(t, dir))
}

func TestStaleTemporaryFilesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, tempPrefix+"old"), filepath.Join(dir, tempPrefix+"fresh")
	require.NoError(t, os.WriteFile(old, []byte("x"), 0o600))
	require.NoError(t, os.WriteFile(fresh, []byte("x"), 0o600))
	past := time.Now().Add(-2 * staleTemp)
	require.NoError(t, os.Chtimes(old, past, past))
	_, err := NewBlobStore(dir)
	require.NoError(t, err)
	assert.NoFileExists(t, old)
	assert.FileExists(t, fresh, "a recent temporary file may belong to a write in progress")
}
