package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	dto "github.com/prometheus/client_model/go"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// fakeMetrics is the node's side of /metrics.
type fakeMetrics struct {
	snap NodeMetrics
	err  error
}

func (f *fakeMetrics) MetricsSnapshot(ctx context.Context) (NodeMetrics, error) {
	if _, ok := ctx.Deadline(); !ok {
		return NodeMetrics{}, errors.New("a scrape must bound the node's part")
	}
	return f.snap, f.err
}

// scrape reads GET /metrics into metric families by name.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := get(h, "/metrics")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Header().Get("Content-Type"), "text/plain")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	require.NoError(t, err)
	return families
}

// sample finds the value of the metric in family name whose labels include
// want; ok is false when there is none.
func sample(families map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := families[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	h := newTestServer(&fakeBackend{}).Handler()
	for range 3 {
		get(h, "/api/v1/status")
	}
	get(h, "/api/v1/namespaces/ns1/digests")
	get(h, "/api/v1/namespaces/ns1/messages/not-a-uuid")
	get(h, "/no/such/route/1")
	get(h, "/no/such/route/2")
	request(h, http.MethodDelete, "/api/v1/status", "", nil)

	families := scrape(t, h)
	for _, tc := range []struct {
		method, route, status string
		want                  float64
	}{
		{"GET", "/api/v1/status", "200", 3},
		{"GET", "/api/v1/namespaces/:ns/digests", "200", 1},
		{"GET", "/api/v1/namespaces/:ns/messages/:id", "400", 1},
		{"GET", "other", "404", 2}, // unknown paths share one label
		{"DELETE", "/api/v1/status", "405", 1},
	} {
		labels := map[string]string{"method": tc.method, "route": tc.route, "status": tc.status}
		n, ok := sample(families, metricRequests, labels)
		assert.True(t, ok, "%v", labels)
		assert.Equal(t, tc.want, n, "%v", labels)
		n, ok = sample(families, metricRequestSeconds, labels)
		assert.True(t, ok, "%v", labels)
		assert.Equal(t, tc.want, n, "latency observations %v", labels)
	}
	_, hasNode := families[metricEventStoreHead]
	assert.False(t, hasNode, "no Metrics source, no node gauges")
	assert.Contains(t, families, "go_goroutines")
}

func TestMetricsNodeGauges(t *testing.T) {
	src := &fakeMetrics{snap: NodeMetrics{
		EventStoreHead: 120,
		Projections:    map[string]event.Position{"messages.v1": 100, "chain.v1": 120},
		ParkedPins:     map[string]int{"ns1": 3, "ns2": 0},
	}}
	h := New(Config{}, &fakeBackend{}, zerolog.Nop(), WithMetrics(src)).Handler()
	families := scrape(t, h)
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{metricEventStoreHead, nil, 120},
		{metricProjectionPos, map[string]string{"projector": "messages.v1"}, 100},
		{metricProjectionLag, map[string]string{"projector": "messages.v1"}, 20},
		{metricProjectionLag, map[string]string{"projector": "chain.v1"}, 0},
		{metricParkedPins, map[string]string{"namespace": "ns1"}, 3},
		{metricParkedPins, map[string]string{"namespace": "ns2"}, 0},
	} {
		v, ok := sample(families, tc.name, tc.labels)
		require.True(t, ok, "%s %v", tc.name, tc.labels)
		assert.Equal(t, tc.want, v, "%s %v", tc.name, tc.labels)
	}

	// A node that cannot answer leaves its gauges out; the rest is served.
	src.err = errors.New("event store closed")
	families = scrape(t, h)
	assert.NotContains(t, families, metricEventStoreHead)
	assert.Contains(t, families, metricRequests)
}

// TestStatusMetrics: the ready-made Metrics reads the Backend's status and
// the projection runner.
func TestStatusMetrics(t *testing.T) {
	fb := &fakeBackend{status: func() (messaging.Status, error) {
		return messaging.Status{EventStoreHead: 50, Namespaces: []messaging.NamespaceStatus{{Name: "ns1", ParkedPins: 4}}}, nil
	}}
	snap, err := StatusMetrics(fb, fakeLag{"data.v1": 45}).MetricsSnapshot(context.Background())
	require.NoError(t, err)
	assert.Equal(t, NodeMetrics{EventStoreHead: 50, Projections: map[string]event.Position{"data.v1": 45},
		ParkedPins: map[string]int{"ns1": 4}}, snap)

	fb.status = func() (messaging.Status, error) { return messaging.Status{}, messaging.ErrNotReady }
	_, err = StatusMetrics(fb, nil).MetricsSnapshot(context.Background())
	require.ErrorIs(t, err, messaging.ErrNotReady)
}

// TestMetricsArePerServer: two servers in one process count apart.
func TestMetricsArePerServer(t *testing.T) {
	a, b := newTestServer(&fakeBackend{}).Handler(), newTestServer(&fakeBackend{}).Handler()
	get(a, "/api/v1/status")
	get(a, "/api/v1/status")
	get(b, "/api/v1/status")
	labels := map[string]string{"method": "GET", "route": "/api/v1/status", "status": "200"}
	na, _ := sample(scrape(t, a), metricRequests, labels)
	nb, _ := sample(scrape(t, b), metricRequests, labels)
	assert.Equal(t, 2.0, na)
	assert.Equal(t, 1.0, nb)
}
