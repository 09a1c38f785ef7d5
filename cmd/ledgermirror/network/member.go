package network

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	dxhttp "github.com/ledgermirror/ledgermirror/adapters/dataexchange/http"
	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/adapters/sharedstorage/local"
	"github.com/ledgermirror/ledgermirror/api"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/leader"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/generation"
	"github.com/ledgermirror/ledgermirror/projections/search"
	"github.com/ledgermirror/ledgermirror/projections/search/projector"
)

// Member is one running member node.
type Member struct {
	cfg     config.Config
	log     zerolog.Logger
	store   event.Store
	node    *messaging.Node
	api     *api.Server
	apiLn   net.Listener
	dx      *http.Server
	dxLn    net.Listener
	client  *dxhttp.Client
	storage *local.SharedStorage
	views   *generation.Set
	search  search.Index
	jobs    []func(context.Context) error
	// elector grants singleton roles (a namespace's pipeline, chain
	// listener and aggregator; each outbound subscription's delivery);
	// roles records which this instance holds, for GET /status.
	elector leader.Elector
	roles   *leader.Roles
}

// New builds a member from cfg on ch and binds its listeners (so a taken
// port fails here, before anything runs). Run starts it.
func New(ctx context.Context, cfg config.Config, ch Chain, log zerolog.Logger) (_ *Member, err error) {
	m := &Member{cfg: cfg, log: log, roles: leader.NewRoles()}
	defer func() {
		if err != nil {
			m.close()
		}
	}()
	self, signer, transportKey, err := identity(cfg)
	if err != nil {
		return nil, err
	}
	store, err := OpenEventStore(ctx, cfg.EventStore, log)
	if err != nil {
		return nil, fmt.Errorf("opening the event store: %w", err)
	}
	m.store = store
	if m.elector, err = openElector(ctx, cfg, log); err != nil {
		return nil, err
	}
	cat := catalogue.Default()
	slogger := slog.New(zerolog.NewSlogHandler(log))

	if m.storage, err = local.NewSharedStorage(local.Config{Dir: filepath.Join(cfg.Node.DataDir, "shared"),
		PublicURL: cfg.DataExchange.PublicURL}); err != nil {
		return nil, err
	}
	blobs, err := local.NewBlobStore(filepath.Join(cfg.Node.DataDir, "blobs"))
	if err != nil {
		return nil, err
	}
	if m.client, err = dxhttp.NewClient(dxhttp.ClientConfig{}, self.Node, transportKey); err != nil {
		return nil, err
	}

	var services []*messaging.Service
	for _, nsCfg := range cfg.Namespaces {
		svc, err := m.namespace(nsCfg, ch, self, signer, cat, slogger, blobs)
		if err != nil {
			return nil, fmt.Errorf("namespace %s: %w", nsCfg.Name, err)
		}
		services = append(services, svc)
	}
	if m.node, err = messaging.NewNode(self, store, cat, slogger, services...); err != nil {
		return nil, err
	}

	dx, err := dxhttp.NewServer(dxhttp.ServerConfig{Node: self.Node.String()}, m.node, m.storage,
		log.With().Str("component", "dataexchange").Logger())
	if err != nil {
		return nil, err
	}
	m.dx = dx.HTTPServer(cfg.DataExchange.Listen)
	if m.dxLn, err = net.Listen("tcp", cfg.DataExchange.Listen); err != nil {
		return nil, fmt.Errorf("data exchange: %w", err)
	}
	// The read model is served by generations (projections/generation), so
	// that a rebuild can build a new one beside it and swap.
	if m.views, err = openReadModel(ctx, cfg, Generations(cfg, store, cat, log), log); err != nil {
		return nil, fmt.Errorf("opening the read model: %w", err)
	}
	m.jobs = append(m.jobs, projectOwnReadModel(cfg, m.elector, m.roles, m.views.Run))
	var lag api.ProjectionLag = m.views
	apiOpts := []api.Option{api.WithReadModel(m.views.Store()), api.WithBlobs(blobOpener{blobs}), api.WithRebuild(m.views)}
	if m.search, err = openSearch(ctx, cfg.Search); err != nil {
		return nil, err
	}
	if m.search != nil {
		// The search index follows the serving read model; it is not part
		// of its generations (a rebuild leaves it as it is: its documents
		// come out the same).
		indexer := searchProjector(m.search, m.views.Store(), m.views, store, cat, log)
		m.jobs = append(m.jobs, indexer.Run)
		lag = lags{m.views, indexer}
		// Bleve keeps where the matches are, not the text: the read model
		// the index follows gives it back for the highlights.
		apiOpts = append(apiOpts, api.WithSearch(search.WithHighlights(m.search, projector.Texts(m.views.Store()))))
	}
	apiOpts = append(apiOpts, api.WithProjectionLag(lag), api.WithMetrics(api.StatusMetrics(m.node, lag)),
		api.WithLeadership(leadership{m.elector, m.roles}),
		api.WithExport(newExporter(store, cat, self.Org.String(), self.Node.String(), signer)))
	// Subscriptions are folded from the event store; the delivery engine
	// reads the serving read model's event list and wakes on the
	// generation set's positions, so a rebuild's swap is invisible to it.
	subs := subscription.NewLog(store, cat)
	engine := delivery.New(m.views.Store(), m.views, subs, log, delivery.Options{})
	m.jobs = append(m.jobs, subs.Run, engine.Run)
	apiOpts = append(apiOpts, api.WithSubscriptions(subs, engine))
	// Webhooks and broker bridges: each outbound subscription delivered by
	// the instance that holds its role.
	outbound, err := delivery.NewOutbound(subs, subs, engine, outboundSenders(cfg.Delivery, log), m.elector, m.roles,
		delivery.OutboundConfig{Namespaces: namespaceNames(cfg), Retry: cfg.Delivery.RetryPolicy(),
			Throttle: cfg.Delivery.ThrottlePerSecond()}, log)
	if err != nil {
		return nil, err
	}
	m.jobs = append(m.jobs, outbound.Run)
	apiOpts = append(apiOpts, api.WithRedriver(outbound))
	m.api = api.New(cfg.API, m.node, log.With().Str("component", "api").Logger(), apiOpts...)
	if m.apiLn, err = net.Listen("tcp", cfg.API.Listen); err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	return m, nil
}

// namespace wires one namespace: its chain follower and pinner on the
// namespace's contract, its aggregator and its messaging service.
func (m *Member) namespace(nsCfg config.NamespaceConfig, ch Chain, self messaging.Self, signer *ecdsa.PrivateKey,
	cat *catalogue.Catalogue, slogger *slog.Logger, blobs messaging.BlobStore) (*messaging.Service, error) {
	ns := nsCfg.Name
	contract, ok := ch.Contracts[ns]
	if !ok {
		return nil, fmt.Errorf("no BatchPin contract for the namespace")
	}
	log := m.log.With().Str("namespace", ns).Logger()
	reader := ethereum.NewReader(ch.Client, ch.ChainID, contract, log.With().Str("component", "chain").Logger())
	confirmations := m.cfg.Chain.ConfirmationsOrDefault()
	var followed chain.Chain = reader
	if ch.Polling {
		followed = pollOnly{reader}
	}
	follower, err := chain.NewFollower(chain.Config{Namespace: ns, Confirmations: confirmations, StartBlock: nsCfg.StartBlock}, followed)
	if err != nil {
		return nil, err
	}
	submitter, err := ethereum.NewSubmitter(ch.Client, ch.ChainID, contract, signer)
	if err != nil {
		return nil, err
	}
	pinner := chain.NewPinner(submitter, m.store, cat, chain.PinnerOptions{})
	runner, err := aggregator.NewRunner(m.store, cat, aggregator.Config{Namespace: ns, Confirmations: confirmations, ReorgWindow: m.cfg.Chain.ReorgWindowOrDefault()},
		aggregator.RunnerOptions{
			OnIgnored: func(ev event.Event, err error) {
				log.Warn().Uint64("position", uint64(ev.Position)).Str("type", ev.Type).Err(err).Msg("aggregator ignored an input")
			},
			OnRebuild: func(err error) {
				log.Error().Err(err).Msg("deep reorg: rebuilding the aggregator from the start of the log")
			},
			OnStorageRetry: func(err error) {
				log.Error().Err(err).Msg("the aggregator cannot record its decisions now; waiting for the disk")
			},
		})
	if err != nil {
		return nil, err
	}
	runOpts := chain.RunOptions{PollInterval: m.cfg.Chain.PollInterval,
		OnReorg: func(r chain.Reorg) { logReorg(log, r) },
		OnError: func(err error) { log.Warn().Err(err).Msg("chain listener step failed; retrying") }}
	// The namespace's singleton work: one instance of the member runs it
	// (all of them when the store is embedded: then there is one).
	m.jobs = append(m.jobs, func(ctx context.Context) error {
		return leader.Run(ctx, m.elector, "namespace/"+ns, m.roles, func(ctx context.Context) error {
			g, gctx := errgroup.WithContext(ctx)
			g.Go(func() error { return chain.Run(gctx, follower, m.store, cat, runOpts) })
			g.Go(func() error { return runner.Run(gctx) })
			g.Go(func() error { return m.node.Lead(gctx, ns) })
			return g.Wait()
		})
	})
	return messaging.NewService(ns, m.cfg.Messaging, self, messaging.Deps{Store: m.store, Catalogue: cat,
		Transport: m.client, Storage: m.storage, Blobs: blobs, Pinner: pinner, Aggregation: runner,
		Log: slogger})
}

// Node is the member's messaging node (the API's backend).
func (m *Member) Node() *messaging.Node { return m.node }

// Store is the member's event store.
func (m *Member) Store() event.Store { return m.store }

// APIURL is where the member's API listens.
func (m *Member) APIURL() string { return "http://" + m.apiLn.Addr().String() }

// DataExchangeURL is the member's registered data-exchange endpoint.
func (m *Member) DataExchangeURL() string { return m.cfg.DataExchange.PublicURL }

// Run runs the member until ctx ends (then it stops everything and returns
// nil) or a part fails (then it stops the rest and returns the error).
func (m *Member) Run(ctx context.Context) error {
	defer m.close()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return m.node.Run(gctx) })
	for _, job := range m.jobs {
		g.Go(func() error { return job(gctx) })
	}
	g.Go(func() error {
		if err := m.dx.Serve(m.dxLn); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("data exchange: %w", err)
		}
		return nil
	})
	g.Go(func() error { return m.api.Serve(m.apiLn) })
	g.Go(func() error {
		<-gctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return errors.Join(m.api.Shutdown(shut), m.dx.Shutdown(shut))
	})
	err := g.Wait()
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func (m *Member) close() {
	if m.client != nil {
		m.client.Close()
	}
	if m.storage != nil {
		m.storage.Close()
	}
	for _, ln := range []net.Listener{m.apiLn, m.dxLn} {
		if ln != nil {
			_ = ln.Close()
		}
	}
	if m.views != nil {
		if err := m.views.Close(); err != nil {
			m.log.Error().Err(err).Msg("closing the read model")
		}
	}
	if m.search != nil {
		if err := m.search.Close(); err != nil {
			m.log.Error().Err(err).Msg("closing the search index")
		}
	}
	if m.elector != nil {
		if err := m.elector.Close(); err != nil {
			m.log.Error().Err(err).Msg("closing the leader elector")
		}
	}
	if m.store != nil {
		if err := m.store.Close(); err != nil {
			m.log.Error().Err(err).Msg("closing the event store")
		}
	}
}

// pollOnly hides a chain's head notifications, for clients that cannot
// push them (plain HTTP): the follower then polls.
type pollOnly struct{ chain.Chain }

// identity loads (or creates) the node's keys and says who it is.
func identity(cfg config.Config) (messaging.Self, *ecdsa.PrivateKey, ed25519.PrivateKey, error) {
	org, err := protocol.NewOrgDID(cfg.Node.Org)
	if err != nil {
		return messaging.Self{}, nil, nil, fmt.Errorf("node.org: %w", err)
	}
	node, err := protocol.NewNodeDID(org, cfg.Node.Name)
	if err != nil {
		return messaging.Self{}, nil, nil, fmt.Errorf("node.name: %w", err)
	}
	signer, err := LoadOrCreateSigningKey(cfg.Chain.KeyFile)
	if err != nil {
		return messaging.Self{}, nil, nil, err
	}
	key, err := protocol.NewSigningKey(crypto.PubkeyToAddress(signer.PublicKey))
	if err != nil {
		return messaging.Self{}, nil, nil, err
	}
	transport, err := dxhttp.LoadOrCreateKey(cfg.DataExchange.KeyFile)
	if err != nil {
		return messaging.Self{}, nil, nil, fmt.Errorf("transport key: %w", err)
	}
	self := messaging.Self{Org: org, Node: node, Key: key, Endpoint: cfg.DataExchange.PublicURL,
		TransportKey: dxhttp.PublicKeyPEM(transport)}
	return self, signer, transport, nil
}

// Org is the member's org name.
func (m *Member) Org() string { return m.cfg.Node.Org }

// KnownMembers counts the members whose org and node this member has
// confirmed in its first namespace.
func (m *Member) KnownMembers() int {
	svc, err := m.node.Service(m.cfg.Namespaces[0].Name)
	if err != nil {
		return 0
	}
	orgs := map[string]bool{}
	for _, p := range svc.Registry().Nodes() {
		if _, ok := svc.Registry().Org(p.Node.Org()); ok {
			orgs[p.Node.Org().String()] = true
		}
	}
	return len(orgs)
}

// Close releases what New opened, for a member that will not Run.
func (m *Member) Close() error {
	m.close()
	return nil
}

// Projections is the member's read side: the serving generation of its
// read model, its runners, and rebuilds.
func (m *Member) Projections() *generation.Set { return m.views }

// ReadModel is the member's read model (whichever generation serves).
func (m *Member) ReadModel() projections.Store { return m.views.Store() }

// blobOpener serves blob downloads from the blob store.
type blobOpener struct{ blobs *local.BlobStore }

func (b blobOpener) OpenBlob(_ context.Context, _ string, hash protocol.Hash) (io.ReadCloser, int64, error) {
	r, err := b.blobs.Open(hash)
	if err != nil {
		return nil, 0, err
	}
	f, ok := r.(*os.File)
	if !ok {
		_ = r.Close()
		return nil, 0, fmt.Errorf("blob %s: the store gave no file", hash)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// logReorg reports a reorganisation the chain listener handled. One that
// replaced blocks past the confirmation depth (or past the remembered window)
// is an error: confirmations exist to prevent it, so the chain's settings or
// the node it is read from need someone's attention, even though the listener
// has removed and re-observed the pins all the same.
func logReorg(log zerolog.Logger, r chain.Reorg) {
	ev := log.Warn()
	if r.BeyondConfirmations || r.BeyondWindow {
		ev = log.Error()
	}
	ev.Uint64("ancestor", r.Ancestor).Uint64("from", r.From).Int("removed", r.Removed).
		Bool("beyondConfirmations", r.BeyondConfirmations).Bool("beyondWindow", r.BeyondWindow).
		Msg("chain reorganisation")
}

// openReadModel opens the serving generation of the read model. An embedded
// (SQLite) read model whose tables were declared by another version of
// ledgermirror (rmsqlite.ErrDeclarationChanged: a new index, a new column) is
// rebuilt from the event log first, as `ledgermirror rebuild` would, with
// its progress in the log: the read model is derived data, so an upgrade
// should not leave a node refusing to start until someone runs a command.
// A Postgres read model may be shared by several instances and large, so
// there the error stays, naming the command.
func openReadModel(ctx context.Context, cfg config.Config, gcfg generation.Config, log zerolog.Logger) (*generation.Set, error) {
	set, err := generation.Open(ctx, gcfg)
	if err == nil || !errors.Is(err, rmsqlite.ErrDeclarationChanged) || cfg.ReadModel.Driver == config.DriverPostgres {
		return set, err
	}
	log.Warn().Err(err).Msg("the read model was built by another version; rebuilding it from the event log before serving")
	last := time.Now()
	st, err := generation.Rebuild(ctx, gcfg, "", func(st generation.Status) {
		if time.Since(last) >= 2*time.Second {
			last = time.Now()
			log.Info().Uint64("position", uint64(st.Position)).Uint64("head", uint64(st.Head)).Msg("rebuilding the read model")
		}
	})
	if err != nil {
		return nil, fmt.Errorf("rebuilding the read model: %w", err)
	}
	log.Info().Uint64("generation", st.Generation).Uint64("events", uint64(st.Head)).Msg("read model rebuilt")
	return generation.Open(ctx, gcfg)
}
