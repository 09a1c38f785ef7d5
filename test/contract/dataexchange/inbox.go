package dataexchange

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"sync"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Batch is a batch an Inbox received.
type Batch struct {
	From     protocol.NodeDID
	Envelope messaging.Envelope
}

// Blob is a blob an Inbox received; the bytes are hashed and counted as
// they stream past, never kept.
type Blob struct {
	From      protocol.NodeDID
	Namespace string
	Hash      protocol.Hash
	Size      int64
}

// Refusal is a request an Inbox was told the adapter refused.
type Refusal struct {
	Claimed, Remote, Reason string
}

// Inbox is the messaging.Inbox of one node in the suite: it knows the
// transport keys it is told (Know) and records what is delivered to it.
// It is safe for concurrent use.
type Inbox struct {
	mu       sync.Mutex
	keys     map[string]string
	batches  []Batch
	blobs    []Blob
	refusals []Refusal
}

var _ messaging.Inbox = (*Inbox)(nil)

// NewInbox returns an inbox that knows no peer yet.
func NewInbox() *Inbox { return &Inbox{keys: map[string]string{}} }

// Know registers node's transport public key (PEM), as its node definition
// would.
func (i *Inbox) Know(node protocol.NodeDID, transportKeyPEM string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys[node.String()] = transportKeyPEM
}

// ReceiveBatch implements messaging.Inbox.
func (i *Inbox) ReceiveBatch(_ context.Context, from protocol.NodeDID, env messaging.Envelope) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.batches = append(i.batches, Batch{From: from, Envelope: env})
	return nil
}

// ReceiveBlob implements messaging.Inbox: it reads r to the end, hashing,
// and records the blob only if it hashes to hash.
func (i *Inbox) ReceiveBlob(_ context.Context, from protocol.NodeDID, namespace string, hash protocol.Hash, r io.Reader) error {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return err
	}
	if got := protocol.Hash(h.Sum(nil)); got != hash {
		return fmt.Errorf("%w: blob hashes to %s, not %s", messaging.ErrInvalidInput, got, hash)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.blobs = append(i.blobs, Blob{From: from, Namespace: namespace, Hash: hash, Size: n})
	return nil
}

// PeerKey implements messaging.Inbox.
func (i *Inbox) PeerKey(node protocol.NodeDID) (string, bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	k, ok := i.keys[node.String()]
	return k, ok
}

// Refused implements messaging.Inbox.
func (i *Inbox) Refused(_ context.Context, claimed, remote, reason string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.refusals = append(i.refusals, Refusal{Claimed: claimed, Remote: remote, Reason: reason})
}

// Batches returns the batches received so far, in arrival order.
func (i *Inbox) Batches() []Batch {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]Batch(nil), i.batches...)
}

// Blobs returns the blobs received so far, in arrival order.
func (i *Inbox) Blobs() []Blob {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]Blob(nil), i.blobs...)
}

// Refusals returns the refusals reported so far.
func (i *Inbox) Refusals() []Refusal {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]Refusal(nil), i.refusals...)
}
