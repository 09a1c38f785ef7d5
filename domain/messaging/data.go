package messaging

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// blobIDSpace seeds BlobReceived event ids: a blob is recorded once.
var blobIDSpace = uuid.MustParse("e3c1a9b0-7d42-4f6a-8c15-5b9e2f0d4a67")

// StoreData records a data item an application will refer to by id.
func (s *Service) StoreData(ctx context.Context, in DataInput) (protocol.Data, error) {
	if in.ID != uuid.Nil {
		return protocol.Data{}, invalidf("id: the node assigns data ids")
	}
	d, err := s.newData(uuid.New(), in)
	if err != nil {
		return protocol.Data{}, err
	}
	if err := s.storeData(ctx, d); err != nil {
		return protocol.Data{}, err
	}
	return d, nil
}

func (s *Service) storeData(ctx context.Context, d protocol.Data) error {
	if err := s.append(ctx, catalogue.DataStream(d.ID()), nil, d.ID().String(), catalogue.DataStored{Namespace: s.ns, Data: d}); err != nil {
		return err
	}
	s.mu.Lock()
	s.data[d.ID()] = d
	s.mu.Unlock()
	return nil
}

// UploadBlob streams r into the blob store and attaches it to data item id,
// which no message may use yet (its hash changes).
func (s *Service) UploadBlob(ctx context.Context, id uuid.UUID, name string, r io.Reader) (protocol.Data, error) {
	s.mu.Lock()
	d, ok := s.data[id]
	used := s.used[id]
	s.mu.Unlock()
	switch {
	case !ok:
		return protocol.Data{}, fmt.Errorf("%w: data %s in namespace %q", ErrNotFound, id, s.ns)
	case used:
		return protocol.Data{}, fmt.Errorf("%w: data %s is used by a message; its blob cannot change", ErrConflict, id)
	}
	hash, size, err := s.deps.Blobs.Write(ctx, r, protocol.Hash{})
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return protocol.Data{}, err
		}
		return protocol.Data{}, fmt.Errorf("storing the blob of data %s: %w", id, err)
	}
	blob, err := protocol.NewBlobRef(hash, size, name)
	if err != nil {
		return protocol.Data{}, fmt.Errorf("%w: blob: %w", ErrInvalidInput, err)
	}
	fields := protocol.DataFields{ID: id, Value: d.Value(), Blob: &blob}
	if dt, ok := d.Datatype(); ok {
		fields.Datatype = &dt
	}
	withBlob, err := protocol.NewData(fields)
	if err != nil {
		return protocol.Data{}, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if err := s.append(ctx, catalogue.BlobStream(hash), []uuid.UUID{uuid.NewSHA1(blobIDSpace, hash[:])}, id.String(),
		catalogue.BlobReceived{Namespace: s.ns, Hash: hash, Size: size}); err != nil {
		return protocol.Data{}, err
	}
	if err := s.storeData(ctx, withBlob); err != nil {
		return protocol.Data{}, err
	}
	return withBlob, nil
}
