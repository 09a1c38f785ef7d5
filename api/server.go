package api

import (
	"context"
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/projections"
)

const (
	// readHeaderTimeout bounds a slow client's headers (slowloris). There is
	// no read or write timeout for the whole request: a blob upload may
	// legitimately take minutes, and a ?confirm=true wait is bounded by
	// Config.ConfirmTimeout instead.
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	// shutdownGrace is how long Run lets in-flight requests finish after its
	// context ends before it drops their connections.
	shutdownGrace = 10 * time.Second
)

// Server is one node's REST API. A process may run several (one per member
// in `ledgermirror dev`); they share nothing.
//
// A Server serves once: Serve or Run, then Shutdown. Handler alone (for
// tests or to mount the API in another server) needs neither.
type Server struct {
	cfg     Config
	backend Backend
	deps    deps
	log     zerolog.Logger
	metrics *serverMetrics
	echo    *echo.Echo
	http    *http.Server
	// stopping ends when Shutdown starts, so that ?confirm=true waits answer
	// at once (202, still pending) instead of holding the shutdown up for as
	// long as ConfirmTimeout.
	stopping context.Context
	stop     context.CancelFunc
}

// New builds a server for b, with the optional dependencies opts
// (WithReadModel, WithBlobs, WithProjectionLag, WithMetrics). It fills cfg's
// unset fields with their defaults; the caller validates cfg
// (Config.Validate) beforehand.
func New(cfg Config, b Backend, log zerolog.Logger, opts ...Option) *Server {
	cfg.SetDefaults()
	log = log.With().Str("component", "api").Logger()
	s := &Server{cfg: cfg, backend: b, log: log}
	for _, o := range opts {
		o(&s.deps)
	}
	s.stopping, s.stop = context.WithCancel(context.Background())
	s.metrics = newServerMetrics(s.deps.metrics, log)

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	// Observing wraps recovery so that a panic is logged and counted with
	// the 500 it became.
	e.Use(s.observeRequests, s.recoverPanics, s.knownNamespace)
	s.routes(e)
	for _, r := range e.Routes() {
		s.metrics.routes[r.Path] = true
	}
	s.echo = e

	s.http = &http.Server{
		Handler:           e,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          stdlog.New(log.With().Str("source", "net/http").Logger(), "", 0),
	}
	return s
}

func (s *Server) routes(e *echo.Echo) {
	e.GET("/metrics", s.metrics.handler(s.log))
	e.GET("/api", getAPIPage)
	e.GET("/api/openapi.yaml", getOpenAPIYAML)
	e.GET("/api/openapi.json", getOpenAPIJSON)
	e.GET("/ws", s.getWS)

	v1 := e.Group("/api/v1")
	v1.GET("/status", s.getStatus)
	v1.GET("/namespaces", s.getNamespaces)
	v1.GET("/namespaces/:ns", s.getNamespace)
	v1.POST("/admin/rebuild", s.postRebuild)
	v1.GET("/admin/rebuild", s.getRebuild)
	v1.GET("/admin/export", s.getExport)

	ns := v1.Group("/namespaces/:ns")
	for _, c := range collections {
		ns.GET("/"+c.path, s.listCollection(c.table))
	}
	ns.POST("/messages/broadcast", s.postBroadcast)
	ns.POST("/messages/private", s.postPrivate)
	ns.GET("/messages/:id", s.getMessage)
	ns.GET("/messages/:id/data", s.getMessageData)
	ns.POST("/data", s.postData)
	ns.GET("/data/:id", s.getItem(projections.DataTable, uuidKey("id")))
	ns.GET("/data/:id/blob", s.getBlob)
	ns.POST("/data/:id/blob", s.postBlob)
	ns.GET("/batches/:id", s.getItem(projections.BatchesTable, uuidKey("id")))
	ns.GET("/groups/:hash", s.getItem(projections.GroupsTable, hashKey("hash")))
	ns.GET("/identities/:did", s.getItem(projections.IdentitiesTable, didKey))
	ns.POST("/datatypes", s.postDatatype)
	ns.GET("/datatypes/:name/:version", s.getItem(projections.DatatypesTable, datatypeKey))
	ns.GET("/transactions/:id", s.getItem(projections.TransactionsTable, uuidKey("id")))
	ns.GET("/operations/:id", s.getItem(projections.OperationsTable, uuidKey("id")))
	ns.POST("/operations/:id/retry", s.postRetry)
	ns.GET("/chainevents/:ref", s.getItem(projections.ChainEventsTable, refKey("ref")))
	ns.GET("/events/:sequence", s.getItem(projections.EventsTable, sequenceKey))
	ns.GET("/events/stream", s.getEventStream)
	ns.POST("/subscriptions", s.postSubscription)
	ns.GET("/subscriptions", s.listSubscriptions)
	ns.GET("/subscriptions/:name", s.getSubscription)
	ns.PUT("/subscriptions/:name", s.putSubscription)
	ns.DELETE("/subscriptions/:name", s.deleteSubscription)
	ns.GET("/subscriptions/:name/sse", s.getSubscriptionSSE)
	ns.POST("/subscriptions/:name/resume", s.postSubscriptionResume)
	ns.GET("/subscriptions/:name/deadletters", s.listDeadLetters)
	ns.POST("/subscriptions/:name/deadletters/:sequence/redrive", s.postRedrive)
	ns.GET("/digests", s.getDigests)
	ns.GET("/search", s.getSearch)
}

// Handler returns the API as an http.Handler, with its middleware and error
// handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve answers requests on ln until Shutdown, and then returns nil. Any
// other return is an error of ln.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info().Str("addr", ln.Addr().String()).Msg("api listening")
	if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("api: serve on %s: %w", ln.Addr(), err)
	}
	return nil
}

// Shutdown stops accepting requests, ends ?confirm=true waits early and
// waits for in-flight requests to finish. When ctx ends first it closes the
// remaining connections and returns ctx's error; either way nothing of the
// server is left running.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stop()
	if err := s.http.Shutdown(ctx); err != nil {
		closeErr := s.http.Close()
		return errors.Join(fmt.Errorf("api: shutdown: %w", err), closeErr)
	}
	return nil
}

// Run listens on Config.Listen and serves until ctx ends, then shuts down
// with a grace period for in-flight requests. It is the one call cmd/ needs
// per server, e.g. one goroutine of an errgroup each.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("api: listen on %s: %w", s.cfg.Listen, err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	graceCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	shutdownErr := s.Shutdown(graceCtx)
	return errors.Join(shutdownErr, <-served)
}

// namespaceServer is what a Backend implements when it can tell which
// namespaces it serves; the namespace routes then answer 404 LM10410 for
// any other, rather than an empty list that hides a typo.
type namespaceServer interface {
	Serves(ns string) bool
}

// knownNamespace refuses requests for a namespace the backend does not
// serve, and a malformed one. It runs after routing (on every route, not
// as a group middleware, which would add catch-all routes that hide 405s);
// routes without a namespace pass.
func (s *Server) knownNamespace(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Param("ns") == "" {
			return next(c)
		}
		ns, err := namespaceParam(c)
		if err != nil {
			return err
		}
		if b, ok := s.backend.(namespaceServer); ok && !b.Serves(ns) {
			return fmt.Errorf("%w: this node does not serve namespace %q", messaging.ErrUnknownNamespace, ns)
		}
		return next(c)
	}
}
