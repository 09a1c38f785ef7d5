package protocol

import (
	"encoding/json"
	"math/big"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
)

// The golden vectors in contracts/vectors were computed by an independent
// implementation (see contracts/vectors/README.md). These tests feed their
// inputs through this package's constructors and compare every hash.

const vectorDir = "../../contracts/vectors/"

func loadVectors[T any](t *testing.T, file string) []T {
	t.Helper()
	raw, err := os.ReadFile(vectorDir + file)
	require.NoError(t, err)
	var cases []T
	require.NoError(t, json.Unmarshal(raw, &cases))
	require.NotEmpty(t, cases, file)
	return cases
}

func canonicalString(t *testing.T, v any) string {
	t.Helper()
	b, err := canonicaljson.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

type hashVector struct {
	Canonical string `json:"canonical"`
	Hash      string `json:"hash"`
}

type dataVectorInput struct {
	ID        uuid.UUID `json:"id"`
	ValueText *string   `json:"valueText"`
	Blob      *struct {
		Content string `json:"content"`
		Name    string `json:"name"`
	} `json:"blob"`
	Datatype *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"datatype"`
}

func (in dataVectorInput) build(t *testing.T) Data {
	t.Helper()
	f := DataFields{ID: in.ID}
	if in.ValueText != nil {
		f.Value = json.RawMessage(*in.ValueText)
	}
	if in.Blob != nil {
		content := []byte(in.Blob.Content)
		blob, err := NewBlobRef(SHA256(content), int64(len(content)), in.Blob.Name)
		require.NoError(t, err)
		f.Blob = &blob
	}
	if in.Datatype != nil {
		dt, err := NewDatatypeRef(in.Datatype.Name, in.Datatype.Version)
		require.NoError(t, err)
		f.Datatype = &dt
	}
	d, err := NewData(f)
	require.NoError(t, err)
	return d
}

func TestVectorsData(t *testing.T) {
	for _, tc := range loadVectors[struct {
		Name     string          `json:"name"`
		Input    dataVectorInput `json:"input"`
		Expected hashVector      `json:"expected"`
	}](t, "data.json") {
		t.Run(tc.Name, func(t *testing.T) {
			d := tc.Input.build(t)
			assert.Equal(t, tc.Expected.Canonical, canonicalString(t, d.hashInput()))
			assert.Equal(t, tc.Expected.Hash, d.Hash().String())
			assertDataRoundTrip(t, d)
		})
	}
}

type messageVectorInput struct {
	ID              uuid.UUID   `json:"id"`
	CID             uuid.UUID   `json:"cid"`
	Type            MessageType `json:"type"`
	TxType          TxType      `json:"txtype"`
	Author          string      `json:"author"`
	Key             string      `json:"key"`
	CreatedUnixNano string      `json:"createdUnixNano"`
	Namespace       string      `json:"namespace"`
	Group           *Hash       `json:"group"`
	Topics          []string    `json:"topics"`
	Tag             string      `json:"tag"`
	Data            []DataRef   `json:"data"`
}

func (in messageVectorInput) build(t *testing.T) Message {
	t.Helper()
	author, err := ParseOrgDID(in.Author)
	require.NoError(t, err)
	key, err := ParseSigningKey(in.Key)
	require.NoError(t, err)
	m, err := BuildMessage(MessageHeaderFields{ID: in.ID, CID: in.CID, Type: in.Type, TxType: in.TxType,
		Author: author, Key: key, Created: unixNano(t, in.CreatedUnixNano), Namespace: in.Namespace,
		Group: in.Group, Topics: in.Topics, Tag: in.Tag}, in.Data)
	require.NoError(t, err)
	return m
}

// unixNano reads a decimal count of nanoseconds since 1970, which may exceed
// int64 (year 9999 does).
func unixNano(t *testing.T, s string) time.Time {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 10)
	require.True(t, ok, s)
	secs, nanos := new(big.Int).DivMod(n, big.NewInt(1e9), new(big.Int))
	return time.Unix(secs.Int64(), nanos.Int64())
}

func TestVectorsMessage(t *testing.T) {
	for _, tc := range loadVectors[struct {
		Name     string             `json:"name"`
		Input    messageVectorInput `json:"input"`
		Expected struct {
			DataHash  string `json:"datahash"`
			Canonical string `json:"canonical"`
			Hash      string `json:"hash"`
		} `json:"expected"`
	}](t, "message.json") {
		t.Run(tc.Name, func(t *testing.T) {
			m := tc.Input.build(t)
			assert.Equal(t, tc.Expected.DataHash, m.Header().DataHash().String())
			assert.Equal(t, tc.Expected.Canonical, canonicalString(t, m.Header()))
			assert.Equal(t, tc.Expected.Hash, m.Hash().String())
			assertMessageRoundTrip(t, m)
		})
	}
}

type memberVector struct {
	Identity string `json:"identity"`
	Node     string `json:"node"`
}

func TestVectorsGroup(t *testing.T) {
	for _, tc := range loadVectors[struct {
		Name  string `json:"name"`
		Input struct {
			Namespace string         `json:"namespace"`
			Name      string         `json:"name"`
			Members   []memberVector `json:"members"`
		} `json:"input"`
		Expected hashVector `json:"expected"`
	}](t, "group.json") {
		t.Run(tc.Name, func(t *testing.T) {
			members := make([]Member, len(tc.Input.Members))
			for i, m := range tc.Input.Members {
				identity, err := ParseOrgDID(m.Identity)
				require.NoError(t, err)
				node, err := ParseNodeDID(m.Node)
				require.NoError(t, err)
				members[i] = Member{Identity: identity, Node: node}
			}
			g, err := NewGroup(tc.Input.Namespace, tc.Input.Name, members)
			require.NoError(t, err)
			assert.Equal(t, tc.Expected.Canonical, canonicalString(t, g.hashInput()))
			assert.Equal(t, tc.Expected.Hash, g.Hash().String())
			assertGroupRoundTrip(t, g)
		})
	}
}

type manifestVectorInput struct {
	ID        uuid.UUID `json:"id"`
	Tx        uuid.UUID `json:"tx"`
	Namespace string    `json:"namespace"`
	Author    string    `json:"author"`
	Key       string    `json:"key"`
	Group     *Hash     `json:"group"`
	Messages  []struct {
		ID     uuid.UUID `json:"id"`
		Hash   Hash      `json:"hash"`
		Topics []string  `json:"topics"`
	} `json:"messages"`
	Data []DataRef `json:"data"`
}

func (in manifestVectorInput) build(t *testing.T) Manifest {
	t.Helper()
	author, err := ParseOrgDID(in.Author)
	require.NoError(t, err)
	key, err := ParseSigningKey(in.Key)
	require.NoError(t, err)
	entries := make([]ManifestMessage, len(in.Messages))
	for i, e := range in.Messages {
		entries[i] = ManifestMessage(e)
	}
	m, err := NewManifest(ManifestFields{ID: in.ID, TxID: in.Tx, Namespace: in.Namespace, Author: author,
		Key: key, Group: in.Group, Messages: entries, Data: in.Data})
	require.NoError(t, err)
	return m
}

func TestVectorsBatch(t *testing.T) {
	for _, tc := range loadVectors[struct {
		Name     string               `json:"name"`
		Manifest *manifestVectorInput `json:"manifest"`
		Build    *struct {
			ID       uuid.UUID            `json:"id"`
			Tx       uuid.UUID            `json:"tx"`
			Data     []dataVectorInput    `json:"data"`
			Messages []messageVectorInput `json:"messages"`
		} `json:"build"`
		Expected struct {
			hashVector
			MessageHashes []string `json:"messageHashes"`
		} `json:"expected"`
	}](t, "batch.json") {
		t.Run(tc.Name, func(t *testing.T) {
			var m Manifest
			if tc.Manifest != nil {
				m = tc.Manifest.build(t)
			} else {
				require.NotNil(t, tc.Build)
				var data []Data
				for _, in := range tc.Build.Data {
					data = append(data, in.build(t))
				}
				var messages []Message
				for i, in := range tc.Build.Messages {
					msg := in.build(t)
					assert.Equal(t, tc.Expected.MessageHashes[i], msg.Hash().String())
					messages = append(messages, msg)
				}
				var err error
				m, err = BuildManifest(tc.Build.ID, tc.Build.Tx, messages, data)
				require.NoError(t, err)
				assert.NoError(t, VerifyBatch(m.Hash(), m, messages, data))
			}
			assert.Equal(t, tc.Expected.Canonical, canonicalString(t, m))
			assert.Equal(t, tc.Expected.Hash, m.Hash().String())
			assertManifestRoundTrip(t, m)
		})
	}
}

func TestVectorsContexts(t *testing.T) {
	for _, tc := range loadVectors[struct {
		Name  string `json:"name"`
		Input struct {
			Kind      string `json:"kind"`
			Namespace string `json:"namespace"`
			Topic     string `json:"topic"`
			Group     Hash   `json:"group"`
			Author    string `json:"author"`
			Nonce     string `json:"nonce"`
		} `json:"input"`
		Expected string `json:"expected"`
	}](t, "contexts.json") {
		t.Run(tc.Name, func(t *testing.T) {
			in := tc.Input
			var got Hash
			switch in.Kind {
			case "broadcast":
				got = BroadcastContext(in.Namespace, in.Topic)
			case "private":
				got = PrivateContext(in.Namespace, in.Topic, in.Group)
			case "nonce":
				author, err := ParseOrgDID(in.Author)
				require.NoError(t, err)
				nonce, err := strconv.ParseUint(in.Nonce, 10, 64)
				require.NoError(t, err)
				got = NoncePin(in.Namespace, in.Topic, in.Group, author, nonce)
			default:
				t.Fatalf("unknown kind %q", in.Kind)
			}
			assert.Equal(t, tc.Expected, got.String())
		})
	}
}

func TestVectorsPins(t *testing.T) {
	for _, tc := range loadVectors[struct {
		Name       string              `json:"name"`
		Manifest   manifestVectorInput `json:"manifest"`
		NextNonces map[string]string   `json:"nextNonces"`
		Expected   struct {
			Pins []Hash `json:"pins"`
		} `json:"expected"`
	}](t, "pins.json") {
		t.Run(tc.Name, func(t *testing.T) {
			m := tc.Manifest.build(t)
			next := map[Hash]uint64{}
			if group, private := m.Group(); private {
				for topic, n := range tc.NextNonces {
					nonce, err := strconv.ParseUint(n, 10, 64)
					require.NoError(t, err)
					next[PrivateContext(m.Namespace(), topic, group)] = nonce
				}
			}
			source := NonceSourceFunc(func(ctx Hash, author OrgDID) (uint64, error) {
				assert.Equal(t, m.Author(), author)
				n := next[ctx]
				next[ctx] = n + 1
				return n, nil
			})
			pins, err := BatchPins(m, source)
			require.NoError(t, err)
			assert.Equal(t, tc.Expected.Pins, PinHashes(pins))
		})
	}
}

func TestVectorsDigests(t *testing.T) {
	for _, tc := range loadVectors[struct {
		Name          string `json:"name"`
		Kind          string `json:"kind"`
		MessageHashes []Hash `json:"messageHashes"`
		Contexts      []struct {
			Context       Hash   `json:"context"`
			MessageHashes []Hash `json:"messageHashes"`
		} `json:"contexts"`
		Expected json.RawMessage `json:"expected"`
	}](t, "digests.json") {
		t.Run(tc.Name, func(t *testing.T) {
			switch tc.Kind {
			case "context":
				var want struct {
					Digest string `json:"digest"`
					Count  uint64 `json:"count"`
				}
				require.NoError(t, json.Unmarshal(tc.Expected, &want))
				d := digestOf(tc.MessageHashes)
				assert.Equal(t, want.Digest, d.Digest().String())
				assert.Equal(t, want.Count, d.Count())
			case "namespace":
				var want hashVector
				require.NoError(t, json.Unmarshal(tc.Expected, &want))
				contexts := map[Hash]ContextDigest{}
				for _, c := range tc.Contexts {
					contexts[c.Context] = digestOf(c.MessageHashes)
				}
				entries, err := namespaceDigestEntries(contexts)
				require.NoError(t, err)
				assert.Equal(t, want.Canonical, canonicalString(t, entries))
				got, err := NamespaceDigest(contexts)
				require.NoError(t, err)
				assert.Equal(t, want.Hash, got.String())
			default:
				t.Fatalf("unknown kind %q", tc.Kind)
			}
		})
	}
}

func digestOf(hashes []Hash) ContextDigest {
	var d ContextDigest
	for _, h := range hashes {
		d.Add(h)
	}
	return d
}
