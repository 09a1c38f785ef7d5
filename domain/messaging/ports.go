package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Peer is a node this node sends to, as its node definition registered it.
type Peer struct {
	Node protocol.NodeDID
	// Endpoint is the peer's data-exchange base URL.
	Endpoint string
	// TransportKey is the peer's registered transport public key (PEM).
	TransportKey string
}

// Envelope is a sealed batch as it travels between nodes: the manifest, the
// messages and the data, as JSON. contracts/dataexchange/envelope.json is its
// schema. A receiver keeps it as received and verifies the hashes when the
// pin comes up, so a tampered envelope is recorded and rejected in pin order,
// never dropped silently.
type Envelope struct {
	Namespace string            `json:"namespace"`
	Manifest  json.RawMessage   `json:"manifest"`
	Messages  []json.RawMessage `json:"messages"`
	Data      []json.RawMessage `json:"data"`
	// Group is the private group's definition (name and members), so a
	// receiver learns who is in it; absent for broadcast batches.
	Group json.RawMessage `json:"group,omitempty"`
	// PayloadRef is the shared-storage reference of a broadcast batch.
	PayloadRef string `json:"payloadRef,omitempty"`
}

// ErrPeerRefused wraps a *PeerError: the peer answered and refused the
// request (authentication, a malformed request). Sending it again unchanged
// fails the same way, so the operation fails instead of retrying.
var ErrPeerRefused = errors.New("peer refused the request")

// PeerError is a peer's refusal.
type PeerError struct {
	Status int
	Reason string
}

func (e *PeerError) Error() string { return "peer refused the request: " + e.Reason }

// Unwrap lets errors.Is(err, ErrPeerRefused) succeed.
func (e *PeerError) Unwrap() error { return ErrPeerRefused }

// Transport sends to peer nodes over the data exchange. Every request is
// authenticated as this node (signed with its transport key). Methods are
// safe for concurrent use.
type Transport interface {
	// SendBatch delivers env to peer and returns nil once the peer has
	// durably recorded it. Sending the same envelope twice is harmless (the
	// receiver records it idempotently). A *PeerError (errors.Is
	// ErrPeerRefused) means the peer refused it; any other error (peer down,
	// timeout, 5xx) is worth retrying. ctx bounds the call.
	SendBatch(ctx context.Context, peer Peer, env Envelope) error
	// SendBlob streams the blob with this hash and size, read from open, to
	// peer, which checks the hash before it records the blob. Errors as
	// SendBatch; open is called once per attempt and its reader closed.
	SendBlob(ctx context.Context, peer Peer, namespace string, hash protocol.Hash, size int64,
		open func() (io.ReadCloser, error)) error
}

// SharedStorage holds broadcast payloads where every member can fetch them
// by reference, including a member that joins or restarts late.
type SharedStorage interface {
	// Put stores payload and returns its reference (what goes on chain as
	// payloadRef). Putting the same bytes twice returns the same reference.
	Put(ctx context.Context, payload []byte) (ref string, err error)
	// Get fetches the payload a reference names and checks it against the
	// reference's content hash. ErrNotFound when nobody has it (yet);
	// other errors are worth retrying.
	Get(ctx context.Context, ref string) ([]byte, error)
}

// BlobStore holds the blob bytes this node has, by content hash. Methods
// are safe for concurrent use.
type BlobStore interface {
	// Write streams r into the store and returns its hash and size. When
	// want is non-zero and the bytes hash differently, nothing is kept and
	// the error wraps ErrBlobMismatch. Writing bytes already stored is a no-op.
	Write(ctx context.Context, r io.Reader, want protocol.Hash) (protocol.Hash, int64, error)
	// Open returns the blob's bytes, or an error wrapping ErrNotFound.
	Open(hash protocol.Hash) (io.ReadCloser, error)
	// Has reports whether the blob is stored.
	Has(hash protocol.Hash) bool
}

// ErrBlobMismatch means blob bytes did not hash to what they claimed.
var ErrBlobMismatch = errors.New("blob bytes do not match their hash")

// Inbox is where the data-exchange adapter delivers what authenticated
// peers send. The messaging package implements it.
type Inbox interface {
	// ReceiveBatch records env as sent by from. It returns once recorded
	// (the adapter then answers 2xx); an error wrapping ErrInvalidInput is
	// the sender's fault (4xx), any other error is this node's (5xx).
	ReceiveBatch(ctx context.Context, from protocol.NodeDID, env Envelope) error
	// ReceiveBlob stores the blob read from r, checking it hashes to hash,
	// and records it. Errors as ReceiveBatch; a mismatch is ErrInvalidInput.
	ReceiveBlob(ctx context.Context, from protocol.NodeDID, namespace string, hash protocol.Hash, r io.Reader) error
	// PeerKey returns the transport public key (PEM) registered for node in
	// any namespace this node serves, or false when node is not registered:
	// the adapter then refuses the request with 401.
	PeerKey(node protocol.NodeDID) (string, bool)
	// Refused records that a request claiming to come from claimed was
	// refused (unknown sender or bad signature), as an event.
	Refused(ctx context.Context, claimed string, remote string, reason string)
}
