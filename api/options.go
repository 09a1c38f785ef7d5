package api

import (
	"context"
	"io"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/leader"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// Option gives New one of the server's optional dependencies. Each is
// wired by cmd/ledgermirror; a server without one still serves every route,
// and the routes that need the missing piece say so (see each option).
type Option func(*deps)

// deps are the dependencies besides the Backend.
type deps struct {
	readModel   projections.Store
	blobs       Blobs
	projections ProjectionLag
	metrics     Metrics
	rebuilds    Rebuilds
	search      search.Index
	subs        subscription.Repository
	streams     subscription.Streams
	redriver    subscription.Redriver
	leadership  Leadership
	exporter    Exporter
}

// Leadership says which singleton roles this instance of the member holds
// (domain/leader), for GET /status.
type Leadership interface {
	Instance() string
	Roles() []leader.RoleStatus
}

// WithLeadership adds the instance and its roles to GET /status ("cluster").
func WithLeadership(l Leadership) Option { return func(d *deps) { d.leadership = l } }

// WithReadModel serves the collection and item GETs (messages, data,
// batches, ...) from rm. Without it they answer 503 LM10503, except
// GET /messages/:id, which asks the Backend.
func WithReadModel(rm projections.Store) Option { return func(d *deps) { d.readModel = rm } }

// WithSearch serves GET /search from idx, with each hit's document read
// from the read model (WithReadModel). Without it that route answers 503
// LM10503.
func WithSearch(idx search.Index) Option { return func(d *deps) { d.search = idx } }

// WithBlobs serves GET /data/:id/blob from b. Without it that route answers
// 503 LM10503.
func WithBlobs(b Blobs) Option { return func(d *deps) { d.blobs = b } }

// WithProjectionLag adds each projector's position to GET /status (usually
// the projections.Runner). Without it the status has no "projections".
func WithProjectionLag(p ProjectionLag) Option { return func(d *deps) { d.projections = p } }

// WithMetrics adds the node's gauges to GET /metrics. Without it /metrics
// has the API's own request metrics only. StatusMetrics builds one from the
// Backend and the projection runner.
func WithMetrics(m Metrics) Option { return func(d *deps) { d.metrics = m } }

// WithRebuild serves POST and GET /admin/rebuild from r (usually the
// generation.Set). Without it they answer 503 LM10503.
func WithRebuild(r Rebuilds) Option { return func(d *deps) { d.rebuilds = r } }

// WithSubscriptions serves the subscription routes from repo and the
// event streams (/ws, SSE) from streams (usually a delivery.Engine).
// Without it they answer 503 LM10503.
func WithSubscriptions(repo subscription.Repository, streams subscription.Streams) Option {
	return func(d *deps) { d.subs, d.streams = repo, streams }
}

// WithRedriver serves POST .../deadletters/:sequence/redrive from r
// (usually a delivery.Outbound). Without it that route answers 503
// LM10503.
func WithRedriver(r subscription.Redriver) Option { return func(d *deps) { d.redriver = r } }

// Blobs opens stored blobs for download.
type Blobs interface {
	// OpenBlob opens the blob of namespace ns whose bytes hash to hash, and
	// returns it with its length in bytes. The caller closes it. A blob this
	// node does not have is an error wrapping messaging.ErrNotFound. ctx
	// bounds the opening; the reader is read after OpenBlob returns, and
	// closing it releases whatever it holds.
	OpenBlob(ctx context.Context, ns string, hash protocol.Hash) (r io.ReadCloser, size int64, err error)
}

// ProjectionLag reports how far each projector has applied the event log.
// projections.Runner implements it.
type ProjectionLag interface {
	// Positions returns, for each projector name (its checkpoint key), the
	// position of the last event it applied. It must be cheap and safe for
	// concurrent use: GET /status and every /metrics scrape call it.
	Positions() map[string]event.Position
}

// Metrics is the node's side of GET /metrics: gauges read at every scrape.
type Metrics interface {
	// MetricsSnapshot returns the node's figures now. It is called once per
	// scrape, concurrently with everything else, and should be cheap; ctx
	// bounds it (a scrape gives up after a few seconds). An error leaves
	// the node's gauges out of that scrape and is logged.
	MetricsSnapshot(ctx context.Context) (NodeMetrics, error)
}

// NodeMetrics are the figures behind the node's gauges.
type NodeMetrics struct {
	// EventStoreHead is the position of the last event in the event store.
	EventStoreHead event.Position
	// Projections is the applied position of each projector; the lag the
	// gauges show is EventStoreHead minus it (never below 0).
	Projections map[string]event.Position
	// ParkedPins is the number of parked pins per namespace.
	ParkedPins map[string]int
}

// StatusMetrics is a Metrics that reads the event store head and the parked
// pins from b.Status and the projections from lag (which may be nil): what
// a node has anyway, in one call per scrape.
func StatusMetrics(b Backend, lag ProjectionLag) Metrics { return statusMetrics{b: b, lag: lag} }

type statusMetrics struct {
	b   Backend
	lag ProjectionLag
}

func (m statusMetrics) MetricsSnapshot(ctx context.Context) (NodeMetrics, error) {
	st, err := m.b.Status(ctx)
	if err != nil {
		return NodeMetrics{}, err
	}
	out := NodeMetrics{EventStoreHead: event.Position(st.EventStoreHead), ParkedPins: map[string]int{}}
	for _, ns := range st.Namespaces {
		out.ParkedPins[ns.Name] = ns.ParkedPins
	}
	if m.lag != nil {
		out.Projections = m.lag.Positions()
	}
	return out, nil
}
