package http

import (
	"bytes"
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// FuzzEnvelope feeds decodeEnvelope (what a peer's batch body goes through)
// anything: it must never panic, whatever it accepts the schema accepts,
// and what it accepts survives re-encoding.
func FuzzEnvelope(f *testing.F) {
	for _, seed := range []string{
		`{"namespace":"default","manifest":{},"messages":[],"data":[]}`,
		`{"namespace":"default","manifest":{"version":1},"messages":[{"a":1}],"data":[{"b":[1,2]}],"group":{"name":"g"},"payloadRef":"http://h/x"}`,
		` { "data" : [ { } ] , "messages":[],"manifest":{"x":"\u00e9"},"namespace":"a.b-c_d" } `,
		`{"namespace":"default","namespace":"x","manifest":{},"messages":[],"data":[]}`,
		`{"namespace":"default","manifest":{},"messages":[],"data":[]}{}`,
		`{"namespace":"default","manifest":{},"messages":[null],"data":[]}`,
		`{"NAMESPACE":"default"}`,
		`[]`, `null`, `{`, ``, "\xff",
	} {
		f.Add([]byte(seed))
	}
	schema := compileEnvelopeSchema(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := decodeEnvelope(body)
		if err != nil {
			return
		}
		if err := validate(t, schema, body); err != nil {
			t.Fatalf("decoded %q, which the schema refuses: %v", body, err)
		}
		encoded, err := encodeEnvelope(env)
		if err != nil {
			t.Fatalf("cannot re-encode %q: %v", body, err)
		}
		again, err := decodeEnvelope(encoded)
		if err != nil {
			t.Fatalf("re-encoded %q does not decode: %v", encoded, err)
		}
		if reencoded, _ := encodeEnvelope(again); !bytes.Equal(reencoded, encoded) {
			t.Fatalf("encoding is not stable: %q then %q", encoded, reencoded)
		}
	})
}

// FuzzAuthHeaders sends requests with arbitrary authentication headers
// through the server: it must never panic, must answer 401 to anything not
// signed by the known key, and the claimed sender it reports must be safe
// to record.
func FuzzAuthHeaders(f *testing.F) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	sender, _ := protocol.ParseNodeDID("did:lm:node/orga/node1")
	recipient, _ := protocol.ParseNodeDID("did:lm:node/orgb/node1")
	now := time.Unix(1767323045, 0)
	body := `{"namespace":"default","manifest":{},"messages":[],"data":[]}`
	good := http.Header{}
	sign(good, key, http.MethodPost, batchesPath, now, protocol.SHA256([]byte(body)), sender, recipient)
	f.Add(good.Get(HeaderSender), good.Get(HeaderTimestamp), good.Get(HeaderContentSHA256), good.Get(HeaderSignature), batchesPath, body)
	f.Add(good.Get(HeaderSender), "+1767323045", good.Get(HeaderContentSHA256), good.Get(HeaderSignature), batchesPath, body)
	f.Add("did:lm:node/orgc/x", "0", strings.Repeat("0", 64), strings.Repeat("A", 88), "/dx/v1/blobs/default/"+strings.Repeat("0", 64), "")
	f.Add(strings.Repeat("é", 300), "99999999999999999999", "", "====", batchesPath, "\xff")

	inbox := &fakeInbox{keys: map[string]string{sender.String(): PublicKeyPEM(key)}}
	s, err := NewServer(ServerConfig{Node: recipient.String(), MaxBatchBytes: 1 << 16, MaxBlobBytes: 1 << 16}, inbox, nil, discardLog())
	if err != nil {
		f.Fatal(err)
	}
	s.now = func() time.Time { return now }

	f.Fuzz(func(t *testing.T, from, timestamp, content, signature, path, body string) {
		h := http.Header{}
		h.Set(HeaderSender, from)
		h.Set(HeaderTimestamp, timestamp)
		h.Set(HeaderContentSHA256, content)
		h.Set(HeaderSignature, signature)
		if cred, claimed, err := parseCredentials(h); err == nil {
			_ = cred.verify(key.Public().(ed25519.PublicKey), http.MethodPost, path, recipient, now, time.Minute)
		} else if !utf8.ValidString(claimed) || len(claimed) > maxClaimedLen+3 {
			t.Fatalf("claimed %q is not safe to record", claimed)
		}

		method := http.MethodPost
		if strings.HasPrefix(path, blobsPath) {
			method = http.MethodPut
		}
		req, err := http.NewRequest(method, "http://node"+path, strings.NewReader(body))
		if err != nil || !strings.HasPrefix(path, "/dx/v1/") {
			path = batchesPath
			req = httptest.NewRequest(method, path, strings.NewReader(body))
		}
		req.Header = h
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		signed := from == good.Get(HeaderSender) && timestamp == good.Get(HeaderTimestamp) &&
			content == good.Get(HeaderContentSHA256) && signature == good.Get(HeaderSignature) && path == batchesPath && method == http.MethodPost
		switch {
		case rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed: // not a route
		case signed && body == `{"namespace":"default","manifest":{},"messages":[],"data":[]}`:
			if rec.Code != http.StatusNoContent {
				t.Fatalf("the signed request got %d", rec.Code)
			}
		case !signed && rec.Code != http.StatusUnauthorized:
			t.Fatalf("an unsigned request got %d: %s", rec.Code, rec.Body)
		}
	})
}
