package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzSendRequest sends arbitrary bytes as a broadcast body. Whatever the
// bytes, the handler must not panic (the recovery middleware would hide
// one, so a 500 counts as a failure too) and must answer 202 for a body the
// backend accepted or a 4xx in the error shape.
func FuzzSendRequest(f *testing.F) {
	for _, seed := range []string{
		`{"header":{"topics":["a"],"tag":"t","cid":"6b0f3d1e-58b4-4f45-9c57-2d1b8f6a3c10"},"data":[{"value":{"x":1}}]}`,
		`{"data":[{"id":"6b0f3d1e-58b4-4f45-9c57-2d1b8f6a3c10","datatype":{"name":"w","version":"1"}}]}`,
		`{"data":[{"value":1}],"group":{"members":[{"identity":"did:lm:org/o"}]}}`,
		`{"data":[]} {}`, `{"data":"x"}`, `{"extra":1}`, `[`, ``, `null`, `{"header":{"id":""}}`,
		"{\"data\":[{\"value\":\"\xff\"}]}", `{"data":[{"value":1e999}]}`,
	} {
		f.Add([]byte(seed))
	}
	s := newTestServer(&fakeBackend{}, func(c *Config) { c.MaxBodyBytes = 4 << 10 })
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := request(h, http.MethodPost, broadcastURL, "application/json", bytes.NewReader(body))
		switch {
		case rec.Code == http.StatusAccepted:
		case rec.Code >= 400 && rec.Code < 500:
			requireError(t, rec, rec.Code, codeFor(rec.Code))
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
	})
}

// codeFor is the code the fuzzed route can answer with for status.
func codeFor(status int) string {
	switch status {
	case http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	default:
		return CodeInvalidInput
	}
}

// FuzzCollectionQuery sends arbitrary query strings to GET /messages over a
// filled read model: the answer is 200 with a JSON array (or the count
// object) or 400 LM10400, never a 500 or a panic.
func FuzzCollectionQuery(f *testing.F) {
	for _, seed := range []string{
		"", "state=confirmed", "state=!@pending,rejected&author=?^DID", "sequence=>=3&sort=-sequence,created",
		"created=<2026-01-02T03:04:05.5Z&created=>1700000000000", "topics=!:x&tag=!?:TEST", "hash=^3fa9",
		"count=true&skip=2&limit=3", "limit=0", "limit=1001", "skip=-1", "count=yes", "sort=topics", "sort=-",
		"group=@" + strings.Repeat("a", 64) + ",", "id=not-a-uuid", "cid=@", "tag==>x", "tag=!!x", "tag=?!x",
		"%zz", "a;b", "state", "=x", "&&&", "sort=id&sort=-id", "created=%2B0", "reason=\xff", "tag=" + strings.Repeat("@", 3000),
	} {
		f.Add(seed)
	}
	s, rm := newReadModelServer(f, nil)
	h := s.Handler()
	target := nsURL(rm.ns, "messages")
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.URL.RawQuery = raw
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var page any
			if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
				t.Fatalf("200 for %q is not JSON: %v", raw, err)
			}
			switch p := page.(type) {
			case []any:
			case map[string]any:
				if _, ok := p["items"].([]any); !ok {
					t.Fatalf("200 for %q: %s", raw, rec.Body.String())
				}
			default:
				t.Fatalf("200 for %q: %s", raw, rec.Body.String())
			}
		case http.StatusBadRequest:
			requireError(t, rec, http.StatusBadRequest, CodeInvalidInput)
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, raw, rec.Body.String())
		}
	})
}
