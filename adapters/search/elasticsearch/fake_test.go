package elasticsearch

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// fakeES answers the few requests the adapter makes, as Elasticsearch 8
// would, and records them.
type fakeES struct {
	mu       sync.Mutex
	requests []string // "METHOD path"
	template map[string]any
	bulk     []string // NDJSON lines received
	search   map[string]any
	// searchReply is the body of the _search response.
	searchReply string
	// indexExists makes index creation fail as an existing index does.
	indexExists bool
	// meta is the index mapping's _meta, replaced whole by PUT _mapping as
	// Elasticsearch does.
	meta json.RawMessage
}

func (f *fakeES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/_index_template/"):
		f.template = map[string]any{}
		_ = json.Unmarshal(body, &f.template)
		fmt.Fprint(w, `{"acknowledged":true}`)
	case r.Method == http.MethodPut && !strings.Contains(r.URL.Path[1:], "/"):
		if f.indexExists {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"type":"resource_already_exists_exception","reason":"index exists"},"status":400}`)
			return
		}
		fmt.Fprint(w, `{"acknowledged":true}`)
	case strings.HasSuffix(r.URL.Path, "/_bulk"):
		f.bulkReply(w, body)
	case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/_mapping"):
		var m struct {
			Meta json.RawMessage `json:"_meta"`
		}
		_ = json.Unmarshal(body, &m)
		f.meta = m.Meta
		fmt.Fprint(w, `{"acknowledged":true}`)
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/_mapping"):
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/_mapping")
		meta := ""
		if f.meta != nil {
			meta = `"_meta":` + string(f.meta) + `,`
		}
		fmt.Fprintf(w, `{%q:{"mappings":{%s"dynamic":"strict","properties":{}}}}`, name, meta)
	case strings.HasSuffix(r.URL.Path, "/_refresh"):
		fmt.Fprint(w, `{"_shards":{"total":1,"successful":1,"failed":0}}`)
	case strings.HasSuffix(r.URL.Path, "/_search"):
		f.search = map[string]any{}
		_ = json.Unmarshal(body, &f.search)
		if f.searchReply == "" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":{"type":"search_phase_execution_exception","reason":"all shards failed"},"status":400}`)
			return
		}
		fmt.Fprint(w, f.searchReply)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"type":"not_found","reason":"unexpected request"},"status":404}`)
	}
}

// bulkReply fails an index item whose text is "fail" and answers 404 to
// every delete.
func (f *fakeES) bulkReply(w http.ResponseWriter, body []byte) {
	var items []string
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		f.bulk = append(f.bulk, line)
		var meta map[string]struct {
			ID string `json:"_id"`
		}
		_ = json.Unmarshal([]byte(line), &meta)
		if m, ok := meta["delete"]; ok {
			items = append(items, fmt.Sprintf(`{"delete":{"_id":%q,"status":404,"result":"not_found"}}`, m.ID))
			continue
		}
		sc.Scan()
		f.bulk = append(f.bulk, sc.Text())
		var doc map[string]any
		_ = json.Unmarshal(sc.Bytes(), &doc)
		if doc["text"] == "fail" {
			items = append(items, fmt.Sprintf(`{"index":{"_id":%q,"status":400,"error":{"type":"document_parsing_exception","reason":"bad"}}}`, meta["index"].ID))
		} else {
			items = append(items, fmt.Sprintf(`{"index":{"_id":%q,"status":201,"result":"created"}}`, meta["index"].ID))
		}
	}
	fmt.Fprintf(w, `{"took":1,"errors":true,"items":[%s]}`, strings.Join(items, ","))
}

func openFake(t *testing.T, f *fakeES) *Index {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	x, err := Open(context.Background(), Config{Addresses: []string{srv.URL}, Index: "lm-test"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = x.Close() })
	return x
}

func TestOpenInstallsTemplateAndIndex(t *testing.T) {
	for _, exists := range []bool{false, true} {
		f := &fakeES{indexExists: exists}
		x := openFake(t, f)
		assert.Equal(t, "lm-test-v1", x.Name())
		assert.Equal(t, []string{"PUT /_index_template/lm-test-v1", "PUT /lm-test-v1"}, f.requests)
		want, _ := json.Marshal(template("lm-test-v1"))
		got, _ := json.Marshal(f.template)
		assert.JSONEq(t, string(want), string(got))
	}
}

func TestIndexSendsBulk(t *testing.T) {
	f := &fakeES{}
	x := openFake(t, f)
	id := "0A2A6B2E-4F3C-4C8E-9A35-0A6C1F0B9D01"
	when := time.Date(2025, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))
	err := x.Index(context.Background(), search.Document{
		Namespace: "ns1", Kind: search.Messages, ID: id, Text: "hello <b>",
		Fields: map[string][]string{"author": {"did:lm:a"}, "topics": {"a b", "c"}, "tag": {""}},
		Time:   when,
	})
	require.NoError(t, err)
	key := "0a2a6b2e-4f3c-4c8e-9a35-0a6c1f0b9d01/messages/ns1"
	require.Len(t, f.bulk, 2)
	assert.JSONEq(t, `{"index":{"_id":"`+key+`"}}`, f.bulk[0])
	assert.JSONEq(t, `{"namespace":"ns1","kind":"messages","id":"0a2a6b2e-4f3c-4c8e-9a35-0a6c1f0b9d01",
		"text":"hello <b>","time":"2025-01-02T02:04:05.000000006Z","author":"did:lm:a","topics":["a b","c"]}`, f.bulk[1])

	err = x.Index(context.Background(), search.Document{Namespace: "ns1", Kind: search.Data, ID: id, Text: "fail"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "document_parsing_exception")

	// Nothing is sent for an invalid document.
	f.bulk = nil
	err = x.Index(context.Background(), search.Document{Namespace: "ns1", Kind: search.Data, ID: id}, search.Document{Namespace: "ns1", Kind: search.Data, ID: "x"})
	assert.ErrorIs(t, err, search.ErrInvalidDocument)
	assert.Empty(t, f.bulk)
}

func TestDeleteIgnoresMissing(t *testing.T) {
	f := &fakeES{}
	x := openFake(t, f)
	id := "0a2a6b2e-4f3c-4c8e-9a35-0a6c1f0b9d01"
	require.NoError(t, x.Delete(context.Background(), "ns1", search.Data, id))
	assert.JSONEq(t, `{"delete":{"_id":"`+id+`/data/ns1"}}`, f.bulk[0])
	assert.ErrorIs(t, x.Delete(context.Background(), "ns1", search.Data, "x"), search.ErrInvalidDocument)
}

func TestSearchTranslatesAndDecodes(t *testing.T) {
	f := &fakeES{searchReply: `{"took":1,"hits":{"total":{"value":42,"relation":"eq"},"max_score":null,"hits":[
		{"_index":"lm-test-v1","_id":"0a2a6b2e-4f3c-4c8e-9a35-0a6c1f0b9d01/messages/ns1","_score":2.5,"sort":[2.5,"0a2a6b2e-4f3c-4c8e-9a35-0a6c1f0b9d01","messages"],
		 "highlight":{"text":["the <mark>fox</mark> &lt;b&gt;"]}},
		{"_index":"lm-test-v1","_id":"1b2a6b2e-4f3c-4c8e-9a35-0a6c1f0b9d01/data/ns1","_score":1.25,"highlight":{"text":["no mark here"]}}]}}`}
	x := openFake(t, f)
	r := search.Request{Namespace: "ns1", Query: `fox -dog`, Skip: 3, Limit: 2}
	res, err := x.Search(context.Background(), r)
	require.NoError(t, err)
	assert.Equal(t, search.Result{Total: 42, Hits: []search.Hit{
		{Kind: search.Messages, ID: "0a2a6b2e-4f3c-4c8e-9a35-0a6c1f0b9d01", Score: 2.5, Highlights: map[string][]string{"text": {"the <mark>fox</mark> &lt;b&gt;"}}},
		{Kind: search.Data, ID: "1b2a6b2e-4f3c-4c8e-9a35-0a6c1f0b9d01", Score: 1.25},
	}}, res)
	p, err := r.Plan()
	require.NoError(t, err)
	want, _ := json.Marshal(searchBody(p))
	got, _ := json.Marshal(f.search)
	assert.JSONEq(t, string(want), string(got))
	assert.Contains(t, f.requests, "POST /lm-test-v1/_search")
}

func TestSearchErrors(t *testing.T) {
	f := &fakeES{}
	x := openFake(t, f)
	n := len(f.requests)
	_, err := x.Search(context.Background(), search.Request{Namespace: "ns1", Query: `"open`})
	assert.ErrorIs(t, err, search.ErrInvalidQuery)
	assert.Len(t, f.requests, n, "an invalid query is not sent")

	_, err = x.Search(context.Background(), search.Request{Namespace: "ns1", Query: "fox"})
	require.Error(t, err)
	assert.NotErrorIs(t, err, search.ErrInvalidQuery)
	assert.Contains(t, err.Error(), "search_phase_execution_exception")
}

func TestFlushRefreshesAndCloseCloses(t *testing.T) {
	f := &fakeES{}
	x := openFake(t, f)
	require.NoError(t, x.Flush(context.Background()))
	assert.Contains(t, f.requests, "POST /lm-test-v1/_refresh")
	require.NoError(t, x.Close())
	require.NoError(t, x.Close())
	assert.ErrorIs(t, x.Flush(context.Background()), search.ErrClosed)
	_, err := x.Search(context.Background(), search.Request{Namespace: "ns1"})
	assert.ErrorIs(t, err, search.ErrClosed)
}

func TestConfigValidate(t *testing.T) {
	var c Config
	c.SetDefaults()
	c.Addresses = []string{"http://localhost:9200"}
	require.NoError(t, c.Validate())
	for name, mutate := range map[string]func(*Config){
		"no address":        func(c *Config) { c.Addresses = nil },
		"bad address":       func(c *Config) { c.Addresses = []string{"localhost:9200"} },
		"upper-case index":  func(c *Config) { c.Index = "Search" },
		"index starts with": func(c *Config) { c.Index = "_x" },
		"both credentials":  func(c *Config) { c.APIKey, c.Username = "k", "u" },
		"no workers":        func(c *Config) { c.Workers = -1 },
	} {
		c := c
		mutate(&c)
		assert.Error(t, c.Validate(), name)
	}
}
