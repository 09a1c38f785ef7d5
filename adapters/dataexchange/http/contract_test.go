package http

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sjs "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// contractDir holds the wire contract this package implements.
var contractDir = filepath.Join("..", "..", "..", "contracts", "dataexchange")

type signatureVectors struct {
	PrivateKeySeed string `json:"privateKeySeed"`
	PublicKeyPEM   string `json:"publicKeyPEM"`
	Cases          []struct {
		Name         string            `json:"name"`
		Method       string            `json:"method"`
		Path         string            `json:"path"`
		Body         string            `json:"body"`
		Recipient    string            `json:"recipient"`
		Headers      map[string]string `json:"headers"`
		StringToSign string            `json:"stringToSign"`
	} `json:"cases"`
}

// TestSignatureVectors checks the committed golden vectors both ways: this
// client signs exactly them, and this server accepts them.
func TestSignatureVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(contractDir, "signature-vectors.json"))
	require.NoError(t, err)
	var v signatureVectors
	require.NoError(t, json.Unmarshal(raw, &v))
	seed, err := hex.DecodeString(v.PrivateKeySeed)
	require.NoError(t, err)
	key := ed25519.NewKeyFromSeed(seed)
	assert.Equal(t, v.PublicKeyPEM, PublicKeyPEM(key))
	require.NotEmpty(t, v.Cases)

	for _, c := range v.Cases {
		t.Run(c.Name, func(t *testing.T) {
			sender, recipient := did(t, c.Headers[HeaderSender]), did(t, c.Recipient)
			content := protocol.SHA256([]byte(c.Body))
			ts, err := strconv.ParseInt(c.Headers[HeaderTimestamp], 10, 64)
			require.NoError(t, err)
			assert.Equal(t, c.StringToSign, string(stringToSign(c.Method, c.Path, c.Headers[HeaderTimestamp], content, sender, recipient)))
			h := http.Header{}
			sign(h, key, c.Method, c.Path, time.Unix(ts, 0), content, sender, recipient)
			for name, want := range c.Headers {
				assert.Equal(t, want, h.Get(name), name)
			}

			inbox := &fakeInbox{keys: map[string]string{sender.String(): v.PublicKeyPEM}}
			s, err := NewServer(ServerConfig{Node: recipient.String()}, inbox, nil, discardLog())
			require.NoError(t, err)
			s.now = func() time.Time { return time.Unix(ts, 0).Add(time.Minute) }
			req := httptest.NewRequest(c.Method, c.Path, strings.NewReader(c.Body))
			for name, value := range c.Headers {
				req.Header.Set(name, value)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			assert.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
		})
	}
}

func compileEnvelopeSchema(t testing.TB) *sjs.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join(contractDir, "envelope.json"))
	require.NoError(t, err)
	defer f.Close()
	doc, err := sjs.UnmarshalJSON(f)
	require.NoError(t, err)
	c := sjs.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("envelope.json", doc))
	s, err := c.Compile("envelope.json")
	require.NoError(t, err)
	return s
}

func validate(t testing.TB, s *sjs.Schema, body []byte) error {
	t.Helper()
	doc, err := sjs.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return s.Validate(doc)
}

// TestSentEnvelopesSatisfyTheSchema validates what the client really puts
// on the wire against contracts/dataexchange/envelope.json.
func TestSentEnvelopesSatisfyTheSchema(t *testing.T) {
	schema := compileEnvelopeSchema(t)
	var got capture
	srv := httptest.NewServer(http.HandlerFunc(got.handler))
	defer srv.Close()
	c, _ := newTestClient(t, ClientConfig{})

	broadcast := sampleEnvelope()
	private := sampleEnvelope()
	private.PayloadRef = ""
	private.Group = json.RawMessage(`{"name":"g1","members":[{"identity":"did:lm:org/orga","node":"did:lm:node/orga/node1"}]}`)
	bare := messaging.Envelope{Namespace: "default", Manifest: json.RawMessage(`{}`), Group: json.RawMessage(`null`)}
	for name, env := range map[string]messaging.Envelope{"broadcast": broadcast, "private": private, "nil slices and null group": bare} {
		require.NoError(t, c.SendBatch(context.Background(), peerAt(t, srv.URL), env), name)
		_, body := got.last(t)
		assert.NoError(t, validate(t, schema, body), "%s: %s", name, body)
		decoded, err := decodeEnvelope(body)
		require.NoError(t, err, name)
		if name != "nil slices and null group" {
			assert.Equal(t, env, decoded, name)
		}

		// The schema is strict: an extra member, a missing required one
		// and a wrong type all fail, as they fail the server.
		var obj map[string]any
		require.NoError(t, json.Unmarshal(body, &obj))
		for _, mutate := range []func(map[string]any){
			func(o map[string]any) { o["extra"] = true },
			func(o map[string]any) { delete(o, "namespace") },
			func(o map[string]any) { delete(o, "manifest") },
			func(o map[string]any) { delete(o, "messages") },
			func(o map[string]any) { delete(o, "data") },
			func(o map[string]any) { o["manifest"] = []any{} },
			func(o map[string]any) { o["messages"] = []any{"x"} },
			func(o map[string]any) { o["group"] = nil },
			func(o map[string]any) { o["payloadRef"] = 1 },
			func(o map[string]any) { o["namespace"] = "bad name" },
		} {
			copied := map[string]any{}
			for k, v := range obj {
				copied[k] = v
			}
			mutate(copied)
			mutated, err := json.Marshal(copied)
			require.NoError(t, err)
			assert.Error(t, validate(t, schema, mutated), "%s", mutated)
			_, err = decodeEnvelope(mutated)
			assert.Error(t, err, "%s", mutated)
		}
	}
}
