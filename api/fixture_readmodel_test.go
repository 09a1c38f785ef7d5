package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/memstore"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// readModel is a read model filled the way a node fills it: the projectors
// over one member's event log of a simulated network (received batches,
// pins, parked and confirmed messages, identities, datatypes, groups) plus
// what only the sending node records (a message it sent, a data item with a
// blob, an operation, a pin transaction).
type readModel struct {
	store  *memstore.Store
	runner *projections.Runner
	ns     string
	head   event.Position
	// What this node sent itself.
	sent     uuid.UUID // a message with sentData, in that order
	sentData []uuid.UUID
	withBlob uuid.UUID // the data item with a blob (sentData[0])
	blob     []byte
	blobName string
	op       uuid.UUID
	tx       uuid.UUID
}

var (
	fixtureOnce sync.Once
	fixture     *readModel
	fixtureErr  error
)

// sharedReadModel builds the fixture once per test binary: the projectors
// over a few hundred events cost enough to matter in the fuzz target.
func sharedReadModel(t testing.TB) *readModel {
	t.Helper()
	fixtureOnce.Do(func() { fixture, fixtureErr = buildReadModel() })
	require.NoError(t, fixtureErr)
	return fixture
}

func buildReadModel() (*readModel, error) {
	h := simulation.Generate(7, simulation.Options{Batches: 16, Members: 3, Calm: true})
	agg, err := aggregator.New(h.Config)
	if err != nil {
		return nil, err
	}
	cat := catalogue.Default()
	ns := h.Config.Namespace
	var log []event.Event
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var encodeErr error
	add := func(p catalogue.Payload) {
		proposed, err := cat.Encode(uuid.NewSHA1(uuid.Nil, []byte(strconv.Itoa(len(log)))), p, event.Metadata{})
		if err != nil {
			encodeErr = fmt.Errorf("encoding %T: %w", p, err)
			return
		}
		pos := event.Position(len(log) + 1)
		log = append(log, event.Event{ID: proposed.ID, Stream: "s", Revision: event.Revision(pos), Position: pos,
			Type: proposed.Type, Version: proposed.Version, Recorded: base.Add(time.Duration(pos) * time.Millisecond),
			Data: proposed.Data, Metadata: proposed.Metadata})
	}
	for _, in := range h.Inputs(0, rand.New(rand.NewSource(7))) {
		add(in)
		out, err := agg.Apply(in)
		if err != nil {
			continue // an input the aggregator ignores is recorded all the same
		}
		for _, o := range out {
			add(o)
		}
	}

	rm := &readModel{ns: ns, blob: []byte("%PDF-1.7 not really a pdf\n"), blobName: "invoice 2026 №1.pdf"}
	org := h.Orgs[0]
	blobRef, err := protocol.NewBlobRef(protocol.SHA256(rm.blob), int64(len(rm.blob)), rm.blobName)
	if err != nil {
		return nil, err
	}
	withBlob, err := protocol.NewData(protocol.DataFields{ID: uuid.NewSHA1(uuid.Nil, []byte("blob")), Blob: &blobRef})
	if err != nil {
		return nil, err
	}
	typed, err := protocol.NewDatatypeRef("invoice", "1.0")
	if err != nil {
		return nil, err
	}
	value, err := protocol.NewData(protocol.DataFields{ID: uuid.NewSHA1(uuid.Nil, []byte("value")),
		Value: json.RawMessage(`{"amount":12.5,"currency":"EUR"}`), Datatype: &typed})
	if err != nil {
		return nil, err
	}
	msg, err := protocol.BuildMessage(protocol.MessageHeaderFields{ID: uuid.NewSHA1(uuid.Nil, []byte("sent")),
		CID: uuid.NewSHA1(uuid.Nil, []byte("cid")), Type: protocol.MessageTypeBroadcast, TxType: protocol.TxTypeBatchPin,
		Author: org.DID, Key: org.Key, Created: base, Namespace: ns, Topics: []string{"invoices"}, Tag: "invoice"},
		[]protocol.DataRef{withBlob.Ref(), value.Ref()})
	if err != nil {
		return nil, err
	}
	rm.sent, rm.sentData, rm.withBlob = msg.ID(), []uuid.UUID{withBlob.ID(), value.ID()}, withBlob.ID()
	rm.op, rm.tx = uuid.NewSHA1(uuid.Nil, []byte("op")), uuid.NewSHA1(uuid.Nil, []byte("tx"))
	batch := h.Batches[0].ID()
	add(catalogue.DataStored{Namespace: ns, Data: withBlob})
	add(catalogue.MessageSubmitted{Message: msg, Data: []protocol.Data{value}})
	add(catalogue.OperationRecorded{Namespace: ns, ID: rm.op, Type: string(messaging.OpPinBatch), BatchID: batch,
		Target: "ethereum:1337", Status: string(messaging.OpRetrying), Attempts: 2, Error: "connection refused",
		Created: base, Updated: base.Add(time.Second)})
	add(catalogue.PinSubmitted{Namespace: ns, BatchID: batch, TxID: rm.tx, BatchHash: h.Batches[0].Manifest.Hash(),
		Contexts: []protocol.Hash{protocol.SHA256([]byte("ctx"))}, Signer: org.Key, Chain: "ethereum:1337",
		TxHash: "0x" + protocol.SHA256([]byte("tx")).String(), Nonce: 4})
	if encodeErr != nil {
		return nil, encodeErr
	}

	rm.store = memstore.New()
	rm.runner, err = projections.NewRunner(nil, rm.store, cat, projections.RunnerOptions{}, projections.All()...)
	if err != nil {
		return nil, err
	}
	if err := rm.runner.ApplyEvents(context.Background(), log); err != nil {
		return nil, err
	}
	rm.head = event.Position(len(log))
	return rm, nil
}

// first returns the first document of a collection in its default order.
func (rm *readModel) first(t testing.TB, table *projections.Table, filter url.Values) map[string]any {
	t.Helper()
	q, err := query.Parse(table.Collection(), filter)
	require.NoError(t, err)
	docs, _, err := rm.store.Find(context.Background(), table, rm.ns, q)
	require.NoError(t, err)
	require.NotEmpty(t, docs, "the fixture has %s", table.Name())
	var doc map[string]any
	require.NoError(t, json.Unmarshal(docs[0], &doc))
	return doc
}

// fakeBlobs serves the fixture's one blob.
type fakeBlobs struct {
	blobs map[protocol.Hash][]byte
}

func (f fakeBlobs) OpenBlob(_ context.Context, _ string, hash protocol.Hash) (io.ReadCloser, int64, error) {
	b, ok := f.blobs[hash]
	if !ok {
		return nil, 0, fmt.Errorf("blob %s: %w", hash, messaging.ErrNotFound)
	}
	return io.NopCloser(bytes.NewReader(b)), int64(len(b)), nil
}

// newReadModelServer serves the fixture with every optional dependency.
func newReadModelServer(t testing.TB, fb *fakeBackend) (*Server, *readModel) {
	t.Helper()
	rm := sharedReadModel(t)
	if fb == nil {
		fb = &fakeBackend{}
	}
	if fb.status == nil {
		fb.status = func() (messaging.Status, error) {
			return messaging.Status{Node: "did:lm:node/org1/node1", Org: "did:lm:org/org1", Ready: true,
				EventStoreHead: uint64(rm.head) + 5, Namespaces: []messaging.NamespaceStatus{{Name: rm.ns,
					Registered: true, ChainCheckpoint: 40, Aggregated: uint64(rm.head), ParkedPins: 2,
					Members: []string{"did:lm:org/org1"}}}}, nil
		}
	}
	blobs := fakeBlobs{blobs: map[protocol.Hash][]byte{protocol.SHA256(rm.blob): rm.blob}}
	s := New(Config{}, fb, zerolog.Nop(), WithReadModel(rm.store), WithBlobs(blobs), WithProjectionLag(rm.runner))
	return s, rm
}

// get sends a GET to h.
func get(h http.Handler, target string) *httptest.ResponseRecorder {
	return request(h, http.MethodGet, target, "", nil)
}
