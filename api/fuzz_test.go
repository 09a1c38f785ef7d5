package api

import (
	"bytes"
	"net/http"
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
