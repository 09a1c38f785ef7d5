package messaging_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

const ns = "default"

func mustOrg(t testing.TB, name string) protocol.OrgDID {
	o, err := protocol.NewOrgDID(name)
	require.NoError(t, err)
	return o
}

func mustNode(t testing.TB, org protocol.OrgDID) protocol.NodeDID {
	n, err := protocol.NewNodeDID(org, "node1")
	require.NoError(t, err)
	return n
}

func mustKey(t testing.TB, b byte) protocol.SigningKey {
	var a [20]byte
	a[19] = b
	k, err := protocol.NewSigningKey(a)
	if err != nil {
		panic(err) // a fixed, valid address
	}
	return k
}

func selfOf(t testing.TB, org string, b byte) messaging.Self {
	o := mustOrg(t, org)
	return messaging.Self{Org: o, Node: mustNode(t, o), Key: mustKey(t, b),
		Endpoint: fmt.Sprintf("http://127.0.0.1:%d", 6000+int(b)), TransportKey: "key-" + org}
}

// pinner is a chain submitter that records pin requests; while gated,
// each Prepare waits for a release, so a test controls what is in flight.
// The harness wraps it in the real chain.Pinner, which records PinSubmitted.
type pinner struct {
	mu    sync.Mutex
	reqs  []chain.PinRequest
	fail  error
	gate  chan struct{}
	calls chan chain.PinRequest
}

func newPinner() *pinner { return &pinner{calls: make(chan chain.PinRequest, 1000)} }

func (p *pinner) Prepare(ctx context.Context, req chain.PinRequest) (chain.SignedPin, error) {
	p.mu.Lock()
	gate, fail := p.gate, p.fail
	p.mu.Unlock()
	if fail != nil {
		return chain.SignedPin{}, fail
	}
	p.calls <- req
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return chain.SignedPin{}, ctx.Err()
		}
	}
	p.mu.Lock()
	p.reqs = append(p.reqs, req)
	p.mu.Unlock()
	return chain.SignedPin{Submission: chain.Submission{Chain: "test", TxHash: "0x" + req.BatchHash.String(), Signer: mustKey(nil, 1)},
		Raw: req.BatchHash[:]}, nil
}

// Send accepts every transaction: what is in flight is decided in Prepare.
func (p *pinner) Send(context.Context, chain.SignedPin) error { return nil }

func (p *pinner) Signer() protocol.SigningKey { return mustKey(nil, 1) }

func (p *pinner) setGate(g chan struct{}) { p.mu.Lock(); p.gate = g; p.mu.Unlock() }
func (p *pinner) setFail(err error)       { p.mu.Lock(); p.fail = err; p.mu.Unlock() }

// next waits for the next PinOnce call.
func (p *pinner) next(t *testing.T) chain.PinRequest {
	t.Helper()
	select {
	case r := <-p.calls:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no pin request")
		return chain.PinRequest{}
	}
}

// none checks no PinOnce call comes within d.
func (p *pinner) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case r := <-p.calls:
		t.Fatalf("unexpected pin of batch %s", r.BatchID)
	case <-time.After(d):
	}
}

type transport struct {
	mu   sync.Mutex
	sent map[string][]messaging.Envelope
	fail error
}

func (tr *transport) setFail(err error) { tr.mu.Lock(); tr.fail = err; tr.mu.Unlock() }

func (tr *transport) SendBatch(_ context.Context, peer messaging.Peer, env messaging.Envelope) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.fail != nil {
		return tr.fail
	}
	if tr.sent == nil {
		tr.sent = map[string][]messaging.Envelope{}
	}
	tr.sent[peer.Node.String()] = append(tr.sent[peer.Node.String()], env)
	return nil
}

func (tr *transport) SendBlob(context.Context, messaging.Peer, string, protocol.Hash, int64, func() (io.ReadCloser, error)) error {
	return nil
}

type storage struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *storage) Put(_ context.Context, b []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	ref := fmt.Sprintf("http://storage/%x", sha256.Sum256(b))
	s.m[ref] = b
	return ref, nil
}

func (s *storage) Get(_ context.Context, ref string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[ref]
	if !ok {
		return nil, messaging.ErrNotFound
	}
	return b, nil
}

type blobs struct{}

func (blobs) Write(_ context.Context, r io.Reader, _ protocol.Hash) (protocol.Hash, int64, error) {
	b, err := io.ReadAll(r)
	return protocol.SHA256(b), int64(len(b)), err
}
func (blobs) Open(protocol.Hash) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(nil)), nil
}
func (blobs) Has(protocol.Hash) bool { return true }

// harness is one node over a store in a directory, restartable.
type harness struct {
	t      *testing.T
	dir    string
	self   messaging.Self
	store  event.Store
	pinner *pinner
	tr     *transport
	st     *storage
	node   *messaging.Node
	svc    *messaging.Service
	cancel context.CancelFunc
	done   chan error
	cfg    messaging.Config
}

func newHarness(t *testing.T, cfg messaging.Config) *harness {
	h := &harness{t: t, dir: t.TempDir(), self: selfOf(t, "org1", 1), pinner: newPinner(), tr: &transport{}, st: &storage{}, cfg: cfg}
	return h
}

func (h *harness) openStore() {
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(h.dir, "events.db")},
		zerolog.New(zerolog.NewTestWriter(h.t)).Level(zerolog.WarnLevel))
	require.NoError(h.t, err)
	h.store = s
}

// register records identities as if the aggregator had confirmed them.
func (h *harness) register(selves ...messaging.Self) {
	cat := catalogue.Default()
	for _, s := range selves {
		key, node := s.Key, s.Node
		for _, p := range []catalogue.Payload{
			catalogue.IdentityRegistered{Namespace: ns, Kind: catalogue.IdentityOrg, Org: s.Org, Key: &key, MessageID: uuid.New()},
			catalogue.IdentityRegistered{Namespace: ns, Kind: catalogue.IdentityNode, Org: s.Org, Node: &node,
				Endpoint: s.Endpoint, TransportKey: s.TransportKey, MessageID: uuid.New()},
		} {
			ev, err := cat.Encode(uuid.New(), p, event.Metadata{Namespace: ns})
			require.NoError(h.t, err)
			_, err = h.store.Append(context.Background(), catalogue.IdentityStream(s.Org.String()), event.Any(), ev)
			require.NoError(h.t, err)
		}
	}
}

func (h *harness) start() {
	t := h.t
	if h.store == nil {
		h.openStore()
	}
	svc, err := messaging.NewService(ns, h.cfg, h.self, messaging.Deps{Store: h.store, Catalogue: catalogue.Default(),
		Transport: h.tr, Storage: h.st, Blobs: blobs{}, Pinner: chain.NewPinner(h.pinner, h.store, catalogue.Default(), chain.PinnerOptions{})})
	require.NoError(t, err)
	node, err := messaging.NewNode(h.self, h.store, catalogue.Default(), nil, svc)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	h.node, h.svc, h.cancel, h.done = node, svc, cancel, make(chan error, 2)
	go func() { h.done <- node.Run(ctx) }()
	go func() { h.done <- node.Lead(ctx, ns) }()
	select {
	case <-node.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("node not ready")
	}
	require.Eventually(t, svc.Registered, 5*time.Second, time.Millisecond)
}

func (h *harness) stop() {
	if h.done == nil {
		return // stopped already
	}
	defer func() { h.done = nil }()
	h.cancel()
	for range 2 {
		select {
		case err := <-h.done:
			require.NoError(h.t, err)
		case <-time.After(10 * time.Second):
			h.t.Fatal("node did not stop")
		}
	}
}

func (h *harness) close() {
	h.stop()
	require.NoError(h.t, h.store.Close())
	h.store = nil
}

func (h *harness) broadcast(topic string, value string) messaging.MessageView {
	h.t.Helper()
	mv, err := h.node.Broadcast(context.Background(), ns, messaging.SendRequest{
		Header: messaging.RequestHeader{Topics: []string{topic}},
		Data:   []messaging.DataInput{{Value: []byte(value)}}})
	require.NoError(h.t, err)
	return mv
}

// sealed reads the batches the node sealed, in order.
func (h *harness) sealed() []catalogue.BatchSealed {
	h.t.Helper()
	evs, err := h.store.ReadAll(context.Background(), 0, 100000)
	require.NoError(h.t, err)
	var out []catalogue.BatchSealed
	for _, ev := range evs {
		if ev.Type == "BatchSealed" {
			p, err := catalogue.Default().Decode(ev)
			require.NoError(h.t, err)
			out = append(out, p.(catalogue.BatchSealed))
		}
	}
	return out
}
