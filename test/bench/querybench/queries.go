package querybench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/api"
)

// warmUp requests run before the measured ones, so that the figures are of
// a server that has been answering for a while (its page cache filled) and
// not of its first seconds.
const warmUp = 200

// server is the real API over the read model, on a loopback port.
type server struct {
	api    *api.Server
	base   string
	client *http.Client
	served chan error
}

func startServer(f *filled, clients int) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{
		api:    api.New(api.Config{Listen: ln.Addr().String()}, readOnly{}, zerolog.Nop(), api.WithReadModel(f.rm)),
		base:   "http://" + ln.Addr().String() + "/api/v1/namespaces/" + namespace + "/messages?",
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: time.Minute},
		served: make(chan error, 1),
	}
	go func() { s.served <- s.api.Serve(ln) }()
	return s, nil
}

func (s *server) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.client.CloseIdleConnections()
	return errors.Join(s.api.Shutdown(ctx), <-s.served)
}

// queryMix returns n query strings of GET /messages, drawn with a fixed seed
// from the shapes an application's list views send: filters on indexed
// columns, on the topics list, on ranges, sorted several ways, first and
// later pages.
func (w *workload) queryMix(f *filled, n int, count bool) []string {
	rng := rand.New(rand.NewPCG(7, uint64(n))) //nolint:gosec // a reproducible mix, not a secret
	org := func() string { return w.orgs[rng.IntN(orgs)].String() }
	anyMsg := func() (uint64, int) { return rng.Uint64N(f.batches), rng.IntN(perBatch) }
	shapes := []func() url.Values{
		func() url.Values { return url.Values{} },
		func() url.Values { return url.Values{"state": {"confirmed"}, "sort": {"-confirmed"}} },
		func() url.Values { return url.Values{"author": {org()}, "sort": {"-created"}} },
		func() url.Values { return url.Values{"topics": {topicOf(rng.Uint64())}} },
		func() url.Values {
			return url.Values{"tag": {fmt.Sprintf("tag-%02d", rng.IntN(tags))}, "sort": {"sequence"}}
		},
		func() url.Values {
			return url.Values{"type": {"private"}, "sort": {"-created"}, "skip": {strconv.Itoa(rng.IntN(40) * 25)}}
		},
		func() url.Values {
			seq, _ := anyMsg()
			return url.Values{"batch": {newID(kindBatch, seq, 0).String()}}
		},
		func() url.Values {
			seq, _ := anyMsg()
			return url.Values{"created": {">=" + created(seq).Format(time.RFC3339Nano)}, "sort": {"created"}, "limit": {"50"}}
		},
		func() url.Values {
			return url.Values{"sequence": {">=" + strconv.FormatUint(rng.Uint64N(uint64(f.head))+1, 10)}, "sort": {"sequence"}, "limit": {"100"}}
		},
		func() url.Values {
			return url.Values{"author": {org()}, "type": {"broadcast"}, "sort": {"-confirmed"}, "skip": {"100"}}
		},
		func() url.Values {
			seq, i := anyMsg()
			return url.Values{"id": {newID(kindMessage, seq, i).String()}}
		},
		func() url.Values {
			return url.Values{"group": {w.groups[rng.IntN(groups)].Hash().String()}, "sort": {"-created"}}
		},
	}
	out := make([]string, n)
	for i := range out {
		q := shapes[rng.IntN(len(shapes))]()
		if count {
			q.Set("count", "true")
		}
		out[i] = q.Encode()
	}
	return out
}

// measure sends the queries from clients concurrent clients and returns
// each one's latency, from the request to the last byte of the answer. Any
// answer but 200 with a JSON body fails the measurement.
func (s *server) measure(ctx context.Context, queries []string, clients int) ([]time.Duration, error) {
	took := make([]time.Duration, len(queries))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(queries) || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				if err := s.get(ctx, queries[i]); err != nil {
					errs[c] = err
					return
				}
				took[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	return took, errors.Join(append(errs, ctx.Err())...)
}

func (s *server) get(ctx context.Context, q string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+q, nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !json.Valid(body) {
		return fmt.Errorf("GET /messages?%s: %s: %.200s", q, resp.Status, body)
	}
	return nil
}

// percentile is the p-quantile (0 < p <= 1) of ds by the nearest-rank
// method; ds is sorted in place.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := int(p*float64(len(ds)) + 0.999999)
	return ds[min(max(rank, 1), len(ds))-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
