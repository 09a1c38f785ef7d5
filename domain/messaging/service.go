package messaging

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// PinSubmitter puts one batch pin on chain and records the outcome;
// *chain.Pinner is the implementation. PinOnce makes one attempt (the
// pipeline schedules retries as an operation): an error wrapping
// chain.ErrReverted is final, others are worth retrying.
type PinSubmitter interface {
	PinOnce(ctx context.Context, req chain.PinRequest) (chain.Submission, error)
	// Check asks what became of the request's recorded transaction,
	// resubmitting a lost one and recording a mined revert (then it
	// returns an error wrapping chain.ErrReverted).
	Check(ctx context.Context, req chain.PinRequest) (chain.TxStatus, chain.Submission, error)
}

// Aggregation is what the service reads of its namespace's aggregator:
// *aggregator.Runner provides it.
type Aggregation interface {
	aggregator.View
	Applied() event.Position
}

// Deps are the ports one namespace's service works through.
type Deps struct {
	Store     event.Store
	Catalogue *catalogue.Catalogue
	Transport Transport
	Storage   SharedStorage
	Blobs     BlobStore
	Pinner    PinSubmitter
	// Aggregation is optional (digests and parked pins read as empty).
	Aggregation Aggregation
	Log         *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Service is one namespace's messaging: the use cases the API calls, the
// batch pipeline and the node's view of the namespace's messages,
// identities and operations. The view is fed by Node from the event store,
// so it is the same after a restart as before.
type Service struct {
	ns   string
	cfg  Config
	self Self
	deps Deps
	reg  *Registry
	log  *slog.Logger

	mu         sync.Mutex
	messages   map[uuid.UUID]*MessageView // this node's own undecided messages
	recent     map[uuid.UUID]*MessageView // own messages decided lately (bounded)
	recentFIFO []uuid.UUID
	// viewSubmitted is the position of the last MessageSubmitted the node
	// view applied: Send leaves an own message the view took first alone.
	viewSubmitted event.Position
	waiters       map[uuid.UUID][]chan struct{}
	data          map[uuid.UUID]protocol.Data // stored with StoreData: referable by id
	inline        map[uuid.UUID]protocol.Data // created with their message, until it is sealed
	used          map[uuid.UUID]bool          // data ids a message refers to
	groups        map[protocol.Hash]protocol.Group
	ops           map[uuid.UUID]*Operation
	opOrder       []uuid.UUID
	batches       map[uuid.UUID]*ownBatch
	sealOrder     []uuid.UUID
	received      map[uuid.UUID]bool
	missing       map[uuid.UUID]string // broadcast batches pinned and not received: their payload refs
	nonces        map[protocol.Hash]uint64
	// unsealed are own messages recorded and not yet handed to the
	// pipeline: replayed at start-up, or recorded while another instance
	// leads the namespace (leading false).
	unsealed []uuid.UUID
	// leading is set when this instance runs the namespace's pipeline
	// (Node.Lead): own messages then go to the sealer as they are recorded.
	leading    bool
	checkpoint uint64
	pendingDef map[definitionKey]uuid.UUID

	pipeline *pipeline
	// led is set by the first Node.Lead of the namespace.
	led atomic.Bool
}

// ownBatch is what the view keeps of a batch this node sealed.
type ownBatch struct {
	// What pinning and delivery need of the manifest; the manifest itself
	// (every message and data reference) is in the store and not kept.
	id, txID   uuid.UUID
	hash       protocol.Hash
	pins       []protocol.Hash
	private    bool
	key        protocol.Hash // the sealer's queue key: the group hash, zero for broadcast
	payloadRef string
	pinned     bool // PinSubmitted or PinFailed recorded
	failed     bool // the latest of them is PinFailed
	observed   bool
}

// NewService checks its inputs and returns a namespace's service. It does
// nothing until Node starts it.
func NewService(namespace string, cfg Config, self Self, deps Deps) (*Service, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := protocol.ValidateNamespace(namespace); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if err := self.Validate(); err != nil {
		return nil, err
	}
	if deps.Store == nil || deps.Catalogue == nil || deps.Transport == nil || deps.Storage == nil || deps.Blobs == nil || deps.Pinner == nil {
		return nil, fmt.Errorf("%w: the store, catalogue, transport, storage, blob store and pinner are required", ErrInvalidConfig)
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &Service{ns: namespace, cfg: cfg, self: self, deps: deps, reg: newRegistry(),
		log:      deps.Log.With("namespace", namespace),
		messages: map[uuid.UUID]*MessageView{}, recent: map[uuid.UUID]*MessageView{}, waiters: map[uuid.UUID][]chan struct{}{},
		data: map[uuid.UUID]protocol.Data{}, inline: map[uuid.UUID]protocol.Data{}, used: map[uuid.UUID]bool{}, groups: map[protocol.Hash]protocol.Group{},
		ops: map[uuid.UUID]*Operation{}, batches: map[uuid.UUID]*ownBatch{}, received: map[uuid.UUID]bool{}, missing: map[uuid.UUID]string{},
		nonces: map[protocol.Hash]uint64{}, pendingDef: map[definitionKey]uuid.UUID{}}
	s.pipeline = newPipeline(s)
	return s, nil
}

// Namespace is the service's namespace.
func (s *Service) Namespace() string { return s.ns }

// Registry is the namespace's confirmed identities and datatypes.
func (s *Service) Registry() *Registry { return s.reg }

// Registered reports whether this node's org and node are confirmed with
// the key and endpoint it runs with.
func (s *Service) Registered() bool {
	key, ok := s.reg.Org(s.self.Org)
	if !ok || key != s.self.Key {
		return false
	}
	p, ok := s.reg.Node(s.self.Node)
	return ok && p.Endpoint == s.self.Endpoint && p.TransportKey == s.self.TransportKey
}

// now is the service clock in UTC.
func (s *Service) now() time.Time { return s.deps.Now().UTC() }

// append encodes payloads and appends them to stream in one append.
func (s *Service) append(ctx context.Context, stream string, ids []uuid.UUID, correlation string, payloads ...catalogue.Payload) error {
	evs := make([]event.Proposed, len(payloads))
	for i, p := range payloads {
		id := uuid.New()
		if ids != nil {
			id = ids[i]
		}
		ev, err := s.deps.Catalogue.Encode(id, p, event.Metadata{Namespace: s.ns, CorrelationID: correlation,
			Node: s.self.Node.String()})
		if err != nil {
			return fmt.Errorf("encoding %s: %w", p.EventType(), err)
		}
		evs[i] = ev
	}
	if _, err := s.deps.Store.Append(ctx, stream, event.Any(), evs...); err != nil {
		return fmt.Errorf("appending to %s: %w", stream, err)
	}
	return nil
}

func newOwnBatch(v catalogue.BatchSealed) *ownBatch {
	m := v.Manifest
	b := &ownBatch{id: m.ID(), txID: m.TxID(), hash: m.Hash(), pins: v.Pins}
	if g, ok := m.Group(); ok {
		b.private, b.key = true, g
	}
	return b
}
