package projections

import (
	"encoding/json"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// docGen makes documents whose every field, now and then, is something
// encoding/json treats specially: strings to escape, raw JSON to compact,
// times it refuses, nil against empty.
type docGen struct{ rng *rand.Rand }

// pieces are the parts generated strings are made of; some need escaping
// (quotes, controls, HTML, U+2028, invalid UTF-8), some do not.
var pieces = []string{"a", "Zz09", " ", "-_.:/", "\"", "\\", "<", ">", "&", "\n", "\t", "\x00", "\x1f", "\x7f",
	"é", "€", "\u2028", "\u2029", "\xff", "\xe2\x80", "😀", "ns1", "did:firefly:org/a"}

func (g docGen) string() string {
	if g.rng.Intn(3) == 0 {
		return ""
	}
	var b strings.Builder
	for range g.rng.Intn(6) + 1 {
		b.WriteString(pieces[g.rng.Intn(len(pieces))])
	}
	return b.String()
}

// json makes a valid JSON value, now and then spaced out or with
// characters compacting escapes.
func (g docGen) json(depth int) string {
	sp := func() string { return []string{"", "", "", " ", "\n\t", "\r\n  "}[g.rng.Intn(6)] }
	switch n := g.rng.Intn(7); {
	case depth > 2 || n == 0:
		s, err := json.Marshal(g.string())
		if err != nil {
			panic(err)
		}
		if g.rng.Intn(2) == 0 {
			// What a client may send unescaped: HTML characters, U+2028.
			return `"` + []string{"<b>", "a&b", "x\u2028y", "tab\\tq", "plain"}[g.rng.Intn(5)] + `"`
		}
		return string(s)
	case n == 1:
		return strconv.Itoa(g.rng.Intn(2000) - 1000)
	case n == 2:
		return []string{"true", "false", "null", "1.5e3", "-0.25"}[g.rng.Intn(5)]
	case n <= 4:
		var parts []string
		for range g.rng.Intn(4) {
			parts = append(parts, sp()+g.json(depth+1)+sp())
		}
		return "[" + strings.Join(parts, ",") + "]"
	default:
		var parts []string
		for i := range g.rng.Intn(4) {
			parts = append(parts, sp()+`"k`+strconv.Itoa(i)+`"`+sp()+":"+sp()+g.json(depth+1))
		}
		return "{" + strings.Join(parts, ",") + sp() + "}"
	}
}

func (g docGen) hash() protocol.Hash {
	var h protocol.Hash
	g.rng.Read(h[:])
	return h
}

func (g docGen) uuid() uuid.UUID {
	if g.rng.Intn(20) == 0 {
		return uuid.Nil
	}
	var u uuid.UUID
	g.rng.Read(u[:])
	return u
}

func (g docGen) time() time.Time {
	t := time.Unix(g.rng.Int63n(1<<36)-1<<35, g.rng.Int63n(1e9))
	switch g.rng.Intn(6) {
	case 0:
		return t.In(time.FixedZone("odd", g.rng.Intn(48*3600)-24*3600))
	case 1:
		return time.Date(10000+g.rng.Intn(5), 1, 2, 3, 4, 5, 6, time.UTC) // refused by MarshalJSON
	case 2:
		return t.Truncate(time.Second).UTC()
	}
	return t.UTC()
}

func (g docGen) location() catalogue.ChainLocation {
	return catalogue.ChainLocation{Chain: g.string(), Contract: g.string(), BlockNumber: g.rng.Uint64(),
		BlockHash: g.string(), TxHash: g.string(), TxIndex: g.rng.Uint32(), LogIndex: g.rng.Uint32()}
}

func (g docGen) messageDoc() MessageDoc {
	d := MessageDoc{Hash: g.hash(), State: g.string(), Reason: g.string()}
	if g.rng.Intn(10) > 0 {
		d.Header = json.RawMessage(g.json(0))
	}
	if n := g.rng.Intn(5); n > 0 {
		d.Data = []protocol.DataRef{}
		for range n - 1 {
			d.Data = append(d.Data, protocol.DataRef{ID: g.uuid(), Hash: g.hash()})
		}
	}
	if g.rng.Intn(2) == 0 {
		b := g.uuid()
		d.Batch = &b
	}
	if g.rng.Intn(2) == 0 {
		c := g.time()
		d.Confirmed = &c
	}
	if g.rng.Intn(2) == 0 {
		d.Sequence = g.rng.Int63() - 1<<62
	}
	if n := g.rng.Intn(4); n > 0 {
		d.Contexts = []catalogue.ConfirmedContext{}
		for range n - 1 {
			d.Contexts = append(d.Contexts, catalogue.ConfirmedContext{Context: g.hash(), Pin: g.hash(), Count: g.rng.Uint64(), Digest: g.hash()})
		}
	}
	if g.rng.Intn(2) == 0 {
		l := g.location()
		d.Location = &l
	}
	return d
}

func seed(t *testing.T) int64 {
	t.Helper()
	if s := os.Getenv("LM_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err)
		return n
	}
	return time.Now().UnixNano()
}

func (g docGen) signer() protocol.SigningKey {
	var addr [protocol.SigningKeySize]byte
	if g.rng.Intn(20) > 0 {
		g.rng.Read(addr[:])
	}
	k, _ := protocol.NewSigningKey(addr) // the zero key stays zero: MarshalText refuses it
	return k
}

func (g docGen) eventDoc() EventDoc {
	d := EventDoc{ID: g.uuid(), Sequence: g.rng.Int63() - 1<<62, Type: g.string(), Namespace: g.string(),
		Reference: g.string(), Tx: g.string(), Tag: g.string(), Author: g.string(), Created: g.time()}
	if g.rng.Intn(2) == 0 {
		c := g.uuid()
		d.Correlator = &c
	}
	if n := g.rng.Intn(4); n > 0 {
		d.Topics = []string{}
		for range n - 1 {
			d.Topics = append(d.Topics, g.string())
		}
	}
	if g.rng.Intn(2) == 0 {
		h := g.hash()
		d.Group = &h
	}
	return d
}

func (g docGen) pinDoc() pinDoc {
	return pinDoc{Ref: g.string(), Batch: g.uuid(), Location: g.location(), Index: g.rng.Intn(2000) - 1000, Value: g.hash(),
		Signer: g.signer(), State: g.string(), Reason: g.string(), BlockedBy: g.string(), Detail: g.string(), Created: g.time()}
}

func (g docGen) chainEventDoc() chainEventDoc {
	d := chainEventDoc{Ref: g.string(), Name: g.string(), Location: g.location(), Signer: g.signer(), TxID: g.uuid(),
		Batch: g.uuid(), BatchHash: g.hash(), PayloadRef: g.string(), Timestamp: g.rng.Uint64(),
		Removed: g.rng.Intn(2) == 0, Created: g.time()}
	if n := g.rng.Intn(4); n > 0 {
		d.Contexts = []protocol.Hash{}
		for range n - 1 {
			d.Contexts = append(d.Contexts, g.hash())
		}
	}
	return d
}

func (g docGen) dataDoc() dataDocJSON {
	d := dataDocJSON{ID: g.string(), Hash: g.hash(), Created: g.time()}
	switch g.rng.Intn(4) {
	case 0:
		d.Value = rawValue([]byte(g.json(0)))
	case 1:
		d.Value = map[string]string{"not": "raw"} // left to encoding/json
	}
	if g.rng.Intn(2) == 0 {
		if b, err := protocol.NewBlobRef(g.hash(), g.rng.Int63n(1<<40), g.string()); err == nil {
			d.Blob = &b
		}
	}
	if g.rng.Intn(2) == 0 {
		if r, err := protocol.NewDatatypeRef(g.string(), g.string()); err == nil {
			d.Datatype = &r
		}
	}
	return d
}

// fastDoc is a document with its own appender: appendJSON must write what
// json.Marshal writes, and appendFields (its fast path) should write most.
type fastDoc interface {
	jsonAppender
	appendFields(b []byte) ([]byte, error)
}

func TestDocJSONMatchesEncodingJSON(t *testing.T) {
	s := seed(t)
	g := docGen{rng: rand.New(rand.NewSource(s))}
	for name, gen := range map[string]func() fastDoc{
		"MessageDoc":    func() fastDoc { d := g.messageDoc(); return &d },
		"EventDoc":      func() fastDoc { d := g.eventDoc(); return &d },
		"pinDoc":        func() fastDoc { d := g.pinDoc(); return &d },
		"chainEventDoc": func() fastDoc { d := g.chainEventDoc(); return &d },
		"dataDocJSON":   func() fastDoc { d := g.dataDoc(); return &d },
	} {
		t.Run(name, func(t *testing.T) {
			fast, failed := 0, 0
			for range 20_000 {
				d := gen()
				want, wantErr := json.Marshal(d)
				got, err := d.appendJSON([]byte("prefix"))
				if wantErr != nil {
					failed++
					assert.EqualError(t, err, wantErr.Error(), "LM_SEED=%d", s)
					continue
				}
				require.NoError(t, err, "LM_SEED=%d: %s", s, want)
				require.Equal(t, "prefix"+string(want), string(got), "LM_SEED=%d", s)
				if _, err := d.appendFields(nil); err == nil {
					fast++
				}
			}
			// Both paths and the errors were exercised.
			assert.Greater(t, fast, 10_000, "documents the appenders wrote themselves")
			assert.Greater(t, failed, 100, "documents encoding/json refuses")
		})
	}
}

func TestAppendRawJSON(t *testing.T) {
	for _, raw := range []string{`{"a":1}`, `{ "a" : 1 }`, `"<"`, `"a b"`, `["\"",  2]`, `"\u2028"`, "\"\u2028\"", `"€"`, `""`, `{}`} {
		want, err := json.Marshal(json.RawMessage(raw))
		require.NoError(t, err)
		got, err := appendRawJSON(nil, json.RawMessage(raw))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), raw)
	}
	_, err := appendRawJSON(nil, json.RawMessage{})
	assert.Error(t, err, "an empty value is not JSON")
	got, err := appendRawJSON(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "null", string(got))
}
