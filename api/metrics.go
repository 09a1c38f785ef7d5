package api

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// The metric names GET /metrics serves (README.md lists them with their
// labels).
const (
	metricRequests       = "ledgermirror_api_requests_total"
	metricRequestSeconds = "ledgermirror_api_request_duration_seconds"
	metricEventStoreHead = "ledgermirror_event_store_head"
	metricProjectionPos  = "ledgermirror_projection_position"
	metricProjectionLag  = "ledgermirror_projection_lag"
	metricParkedPins     = "ledgermirror_parked_pins"
)

// otherRoute labels requests that matched no route, so that scanners
// probing random paths cannot grow the label set.
const otherRoute = "other"

// snapshotTimeout bounds the node's part of one scrape.
const snapshotTimeout = 5 * time.Second

// serverMetrics are one server's metrics, in a registry of its own: the
// servers of `ledgermirror dev` share a process but not their figures.
type serverMetrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	routes   map[string]bool // registered route templates, for the route label
}

func newServerMetrics(node Metrics, log zerolog.Logger) *serverMetrics {
	labels := []string{"method", "route", "status"}
	m := &serverMetrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricRequests,
			Help: "API requests answered, by method, route template and status code.",
		}, labels),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    metricRequestSeconds,
			Help:    "Time to answer an API request, by method, route template and status code.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, labels),
		routes: map[string]bool{},
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if node != nil {
		m.registry.MustRegister(&nodeCollector{node: node, log: log})
	}
	return m
}

// observe records one answered request.
func (m *serverMetrics) observe(method, route string, status int, took time.Duration) {
	if !m.routes[route] {
		route = otherRoute
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, code).Inc()
	m.latency.WithLabelValues(method, route, code).Observe(took.Seconds())
}

// handler serves the registry in Prometheus' text format.
func (m *serverMetrics) handler(log zerolog.Logger) echo.HandlerFunc {
	h := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      promLogger{log},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.registry, // promhttp_metric_handler_errors_total
	})
	return echo.WrapHandler(h)
}

type promLogger struct{ log zerolog.Logger }

// Println implements promhttp.Logger.
func (l promLogger) Println(v ...any) {
	l.log.Warn().Msg(strings.TrimSpace(fmt.Sprintln(v...)))
}

// nodeCollector turns the node's Metrics into gauges at each scrape.
type nodeCollector struct {
	node Metrics
	log  zerolog.Logger
}

var (
	descEventStoreHead = prometheus.NewDesc(metricEventStoreHead,
		"Position of the last event in the node's event store.", nil, nil)
	descProjectionPos = prometheus.NewDesc(metricProjectionPos,
		"Position of the last event each projector applied.", []string{"projector"}, nil)
	descProjectionLag = prometheus.NewDesc(metricProjectionLag,
		"Events each projector is behind the event store's head.", []string{"projector"}, nil)
	descParkedPins = prometheus.NewDesc(metricParkedPins,
		"Pins parked by the aggregator, waiting for a batch, data or an earlier pin, per namespace.",
		[]string{"namespace"}, nil)
)

// Describe implements prometheus.Collector.
func (nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descEventStoreHead
	ch <- descProjectionPos
	ch <- descProjectionLag
	ch <- descParkedPins
}

// Collect implements prometheus.Collector.
func (n *nodeCollector) Collect(ch chan<- prometheus.Metric) {
	// A scrape has no context of its own; the bound keeps a stuck node from
	// holding scrapes open.
	ctx, cancel := context.WithTimeout(context.Background(), snapshotTimeout)
	defer cancel()
	snap, err := n.node.MetricsSnapshot(ctx)
	if err != nil {
		n.log.Warn().Err(err).Msg("reading the node's metrics")
		return
	}
	ch <- prometheus.MustNewConstMetric(descEventStoreHead, prometheus.GaugeValue, float64(snap.EventStoreHead))
	for name, pos := range snap.Projections {
		ch <- prometheus.MustNewConstMetric(descProjectionPos, prometheus.GaugeValue, float64(pos), name)
		ch <- prometheus.MustNewConstMetric(descProjectionLag, prometheus.GaugeValue,
			float64(behind(snap.EventStoreHead, pos)), name)
	}
	for ns, parked := range snap.ParkedPins {
		ch <- prometheus.MustNewConstMetric(descParkedPins, prometheus.GaugeValue, float64(parked), ns)
	}
}
