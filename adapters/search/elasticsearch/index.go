package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/elastic/go-elasticsearch/v8/esutil"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// Index is the Elasticsearch search index of one node. It implements
// search.Index.
type Index struct {
	cfg    Config
	name   string
	client *elasticsearch.Client
	// mu guards closed: operations hold it shared and Close exclusively.
	mu     sync.RWMutex
	closed bool
	// cpMu serialises SetCheckpoint's read-modify-write of the checkpoints.
	cpMu sync.Mutex
}

var _ search.Index = (*Index)(nil)

// Open connects to the cluster, installs the index template and creates the
// index unless it exists. The cluster must be reachable.
func Open(ctx context.Context, cfg Config) (*Index, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("elasticsearch search config: %w", err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.ResponseHeaderTimeout = cfg.RequestTimeout
	client, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses: cfg.Addresses,
		Username:  cfg.Username,
		Password:  cfg.Password,
		APIKey:    cfg.APIKey,
		Transport: transport,
	})
	if err != nil {
		return nil, fmt.Errorf("elasticsearch search: %w", err)
	}
	x := &Index{cfg: cfg, name: indexName(cfg.Index), client: client}
	if err := x.setUp(ctx); err != nil {
		_ = client.Close(context.Background())
		return nil, err
	}
	return x, nil
}

// Name is the name of the Elasticsearch index.
func (x *Index) Name() string { return x.name }

func (x *Index) setUp(ctx context.Context) error {
	body, err := json.Marshal(template(x.name))
	if err != nil {
		return err
	}
	res, err := x.client.Indices.PutIndexTemplate(x.name, bytes.NewReader(body), x.client.Indices.PutIndexTemplate.WithContext(ctx))
	if err := check("put index template", res, err); err != nil {
		return err
	}
	res, err = x.client.Indices.Create(x.name, x.client.Indices.Create.WithContext(ctx))
	if err := check("create index", res, err, "resource_already_exists_exception"); err != nil {
		return err
	}
	return nil
}

// Index implements search.Index, through one bulk indexer per call.
func (x *Index) Index(ctx context.Context, docs ...search.Document) error {
	docs, err := search.PrepareBatch(docs)
	if err != nil {
		return err
	}
	items := make([]esutil.BulkIndexerItem, len(docs))
	for i, d := range docs {
		body, err := json.Marshal(source(d))
		if err != nil {
			return fmt.Errorf("elasticsearch search: %w", err)
		}
		items[i] = esutil.BulkIndexerItem{Action: "index", DocumentID: d.Key(), Body: bytes.NewReader(body)}
	}
	return x.bulk(ctx, "index", items)
}

// Delete implements search.Index.
func (x *Index) Delete(ctx context.Context, ns string, kind search.Kind, ids ...string) error {
	if err := search.ValidateNamespace(ns); err != nil {
		return err
	}
	if !kind.Valid() {
		return fmt.Errorf("%w: kind %q", search.ErrInvalidDocument, kind)
	}
	items := make([]esutil.BulkIndexerItem, len(ids))
	for i, id := range ids {
		c, err := search.CanonicalID(id)
		if err != nil {
			return err
		}
		items[i] = esutil.BulkIndexerItem{Action: "delete", DocumentID: search.Key(ns, kind, c)}
	}
	return x.bulk(ctx, "delete", items)
}

// bulk sends items and waits for every one: a failed item makes the call
// fail, except deleting a document that is not there.
func (x *Index) bulk(ctx context.Context, what string, items []esutil.BulkIndexerItem) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return search.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("elasticsearch search: %s: %w", what, err)
	}
	if len(items) == 0 {
		return nil
	}
	var (
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if len(errs) < 10 { // enough to diagnose; the rest are alike
			errs = append(errs, err)
		}
	}
	bi, err := esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
		Client:     x.client,
		Index:      x.name,
		NumWorkers: x.cfg.Workers,
		FlushBytes: x.cfg.FlushBytes,
		OnError:    func(_ context.Context, err error) { fail(err) },
	})
	if err != nil {
		return fmt.Errorf("elasticsearch search: %w", err)
	}
	onFailure := func(_ context.Context, item esutil.BulkIndexerItem, res esutil.BulkIndexerResponseItem, err error) {
		switch {
		case err != nil:
			fail(fmt.Errorf("%s %s: %w", item.Action, item.DocumentID, err))
		case item.Action == "delete" && res.Status == http.StatusNotFound:
			// Deleting what is not there is done.
		default:
			fail(fmt.Errorf("%s %s: %d %s: %s", item.Action, item.DocumentID, res.Status, res.Error.Type, res.Error.Reason))
		}
	}
	for _, item := range items {
		item.OnFailure = onFailure
		if err := bi.Add(ctx, item); err != nil {
			fail(err)
			break
		}
	}
	if err := bi.Close(ctx); err != nil {
		fail(err)
	}
	if err := ctx.Err(); err != nil {
		fail(err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("elasticsearch search: %s: %w", what, errors.Join(errs...))
	}
	return nil
}

// Flush implements search.Index: it refreshes the index.
func (x *Index) Flush(ctx context.Context) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return search.ErrClosed
	}
	res, err := x.client.Indices.Refresh(x.client.Indices.Refresh.WithIndex(x.name), x.client.Indices.Refresh.WithContext(ctx))
	return check("refresh", res, err)
}

// Close implements search.Index. It leaves the index on the cluster.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	if err := x.client.Close(context.Background()); err != nil {
		return fmt.Errorf("elasticsearch search: close: %w", err)
	}
	return nil
}

// Drop deletes the index and its template from the cluster, for tests and
// for an operator discarding a node's search index; it does not Close.
func (x *Index) Drop(ctx context.Context) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return search.ErrClosed
	}
	res, err := x.client.Indices.Delete([]string{x.name}, x.client.Indices.Delete.WithContext(ctx))
	if err := check("delete index", res, err, "index_not_found_exception"); err != nil {
		return err
	}
	res, err = x.client.Indices.DeleteIndexTemplate(x.name, x.client.Indices.DeleteIndexTemplate.WithContext(ctx))
	return check("delete index template", res, err, "resource_not_found_exception")
}

// check turns a failed request into an error, closing the body. A response
// whose error type is one of ignore counts as success.
func check(what string, res *esapi.Response, err error, ignore ...string) error {
	if err != nil {
		return fmt.Errorf("elasticsearch search: %s: %w", what, err)
	}
	defer res.Body.Close()
	if !res.IsError() {
		_, _ = io.Copy(io.Discard, res.Body)
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	var e struct {
		Error struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	for _, t := range ignore {
		if e.Error.Type == t {
			return nil
		}
	}
	if e.Error.Type != "" {
		return fmt.Errorf("elasticsearch search: %s: %s: %s: %s", what, res.Status(), e.Error.Type, e.Error.Reason)
	}
	return fmt.Errorf("elasticsearch search: %s: %s: %s", what, res.Status(), strings.TrimSpace(string(body)))
}
