package local

import (
	"context"
	"io"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// BlobStore is messaging.BlobStore over a directory. It is safe for
// concurrent use, also by several processes sharing the directory.
type BlobStore struct {
	cas *casDir
}

var _ messaging.BlobStore = (*BlobStore)(nil)

// NewBlobStore opens (creating it if needed) the blob directory dir.
func NewBlobStore(dir string) (*BlobStore, error) {
	cas, err := openCASDir(dir)
	if err != nil {
		return nil, err
	}
	return &BlobStore{cas: cas}, nil
}

// Write implements messaging.BlobStore. It stops with ctx's error when ctx
// ends, keeping nothing.
func (s *BlobStore) Write(ctx context.Context, r io.Reader, want protocol.Hash) (protocol.Hash, int64, error) {
	return s.cas.write(ctx, r, want, 0)
}

// Open implements messaging.BlobStore; the reader is an *os.File.
func (s *BlobStore) Open(hash protocol.Hash) (io.ReadCloser, error) {
	f, err := s.cas.open(hash)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Has implements messaging.BlobStore.
func (s *BlobStore) Has(hash protocol.Hash) bool { return s.cas.has(hash) }
