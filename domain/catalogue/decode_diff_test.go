package catalogue_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// referenceDecode is how Decode read a payload before it stopped using a
// json.Decoder (which copies its whole input): the behaviour the new path
// must keep, input for input. Only current-version events are compared;
// upcasting did not change.
func referenceDecode(cat *catalogue.Catalogue, ev event.Event) (catalogue.Payload, error) {
	sample, ok := cat.Sample(ev.Type)
	if v, _ := cat.Version(ev.Type); !ok || ev.Version != v {
		return nil, errors.New("not a current event")
	}
	ptr := reflect.New(reflect.TypeOf(sample))
	dec := json.NewDecoder(bytes.NewReader(ev.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(ptr.Interface()); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	p := ptr.Elem().Interface().(catalogue.Payload)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// sameDecoding fails t unless Decode and referenceDecode agree on data:
// both reject it (Decode with a *DecodeError wrapping ErrMalformedEvent),
// or both accept it with deeply equal payloads. It reports whether data was
// accepted.
func sameDecoding(t *testing.T, cat *catalogue.Catalogue, typ string, data []byte, memo bool) bool {
	t.Helper()
	ev := event.Event{ID: uuid.New(), Type: typ, Version: 1, Data: data}
	if memo {
		ev.Memo = &event.Memo{}
	}
	want, wantErr := referenceDecode(cat, ev)
	got, err := cat.Decode(ev)
	if wantErr != nil {
		var de *catalogue.DecodeError
		if assert.ErrorAs(t, err, &de, "%s %q: the reference rejects it (%v)", typ, data, wantErr) {
			assert.ErrorIs(t, err, catalogue.ErrMalformedEvent)
		}
		return false
	}
	if assert.NoError(t, err, "%s %q", typ, data) {
		assert.True(t, reflect.DeepEqual(want, got), "%s %q:\nreference %#v\ngot       %#v", typ, data, want, got)
	}
	return true
}

// jnode is a JSON value that keeps what a map would lose: member order and
// repeated keys.
type jnode struct {
	raw   string // a scalar's text
	obj   bool
	arr   bool
	keys  []string
	elems []*jnode
}

func parseJSON(t testing.TB, data []byte) *jnode {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readNode(dec)
	require.NoError(t, err)
	return n
}

func readNode(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		n := &jnode{obj: tok == '{', arr: tok == '['}
		for dec.More() {
			if n.obj {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			e, err := readNode(dec)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, e)
		}
		_, err := dec.Token()
		return n, err
	case string:
		b, _ := json.Marshal(tok)
		return &jnode{raw: string(b)}, nil
	case nil:
		return &jnode{raw: "null"}, nil
	default:
		return &jnode{raw: fmt.Sprint(tok)}, nil
	}
}

func (n *jnode) write(b *strings.Builder, rng *rand.Rand) {
	space := func() {
		if rng.Intn(8) == 0 {
			b.WriteString([]string{" ", "\n", "\t ", "\r\n"}[rng.Intn(4)])
		}
	}
	switch {
	case n.obj || n.arr:
		b.WriteByte("[{"[boolIndex(n.obj)])
		for i, e := range n.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			space()
			if n.obj {
				b.WriteString(quoteKey(n.keys[i], rng))
				space()
				b.WriteByte(':')
				space()
			}
			e.write(b, rng)
		}
		b.WriteByte("]}"[boolIndex(n.obj)])
	default:
		b.WriteString(n.raw)
	}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// quoteKey writes a key, now and then with a letter escaped: encoding/json
// matches the key's text.
func quoteKey(k string, rng *rand.Rand) string {
	b, _ := json.Marshal(k)
	if rng.Intn(20) != 0 || len(k) == 0 {
		return string(b)
	}
	i := rng.Intn(len(k))
	if k[i] >= 0x80 || k[i] == '"' || k[i] == '\\' {
		return string(b)
	}
	esc, _ := json.Marshal(k[:i])
	rest, _ := json.Marshal(k[i+1:])
	return string(esc[:len(esc)-1]) + fmt.Sprintf(`\u%04x`, k[i]) + string(rest[1:])
}

func (n *jnode) clone() *jnode {
	c := *n
	c.keys = append([]string(nil), n.keys...)
	c.elems = make([]*jnode, len(n.elems))
	for i, e := range n.elems {
		c.elems[i] = e.clone()
	}
	return &c
}

// all lists n and every value inside it.
func (n *jnode) all() []*jnode {
	out := []*jnode{n}
	for _, e := range n.elems {
		out = append(out, e.all()...)
	}
	return out
}

func objects(nodes []*jnode) []*jnode {
	var out []*jnode
	for _, n := range nodes {
		if n.obj {
			out = append(out, n)
		}
	}
	return out
}

var otherValues = []string{`null`, `true`, `false`, `0`, `-1.5e3`, `18446744073709551616`, `""`, `"x"`,
	`"0b0e0000-0000-4000-8000-000000000000"`, `[]`, `[null]`, `["x"]`, `{}`, `{"x":1}`, `[{}]`, `"\u00e9\ud800"`}

// recase changes the case of a key's letters, sometimes to the Unicode
// letters that fold to ASCII ones (the Kelvin sign for k, the long s).
func recase(k string, rng *rand.Rand) string {
	switch rng.Intn(5) {
	case 0:
		return strings.ToUpper(k)
	case 1:
		return strings.ToLower(k)
	case 2:
		return strings.NewReplacer("k", "\u212a", "K", "\u212a", "s", "\u017f", "S", "\u017f").Replace(k)
	case 3:
		if k == "" {
			return k
		}
		return strings.ToUpper(k[:1]) + k[1:]
	}
	r := []rune(k)
	for i := range r {
		if rng.Intn(2) == 0 {
			r[i] = []rune(strings.ToUpper(string(r[i])))[0]
		}
	}
	return string(r)
}

// mutate changes one thing in n, which it owns.
func mutate(n *jnode, rng *rand.Rand) {
	nodes := n.all()
	objs := objects(nodes)
	switch op := rng.Intn(8); {
	case op <= 1 && len(objs) > 0: // a key in another case, or renamed
		o := objs[rng.Intn(len(objs))]
		if len(o.keys) == 0 {
			return
		}
		i := rng.Intn(len(o.keys))
		if op == 0 {
			o.keys[i] = recase(o.keys[i], rng)
		} else {
			o.keys[i] = []string{"x", o.keys[i] + "s", o.keys[i][:len(o.keys[i])/2], "", "-", o.keys[i] + " "}[rng.Intn(6)]
		}
	case op == 2 && len(objs) > 0: // an unknown member, or a known one again
		o := objs[rng.Intn(len(objs))]
		key := []string{"extra", "Extra", "id", "x"}[rng.Intn(4)]
		if len(o.keys) > 0 && rng.Intn(2) == 0 {
			key = o.keys[rng.Intn(len(o.keys))]
		}
		v := &jnode{raw: otherValues[rng.Intn(len(otherValues))]}
		if len(o.elems) > 0 && rng.Intn(2) == 0 {
			v = o.elems[rng.Intn(len(o.elems))].clone()
		}
		at := rng.Intn(len(o.keys) + 1)
		o.keys = append(o.keys[:at], append([]string{key}, o.keys[at:]...)...)
		o.elems = append(o.elems[:at], append([]*jnode{v}, o.elems[at:]...)...)
	case op == 3 && len(objs) > 0: // a member dropped
		o := objs[rng.Intn(len(objs))]
		if len(o.keys) == 0 {
			return
		}
		i := rng.Intn(len(o.keys))
		o.keys = append(o.keys[:i], o.keys[i+1:]...)
		o.elems = append(o.elems[:i], o.elems[i+1:]...)
	case op <= 5: // a value of another kind
		v := nodes[rng.Intn(len(nodes))]
		*v = jnode{raw: otherValues[rng.Intn(len(otherValues))]}
	case op == 6: // an array element duplicated or dropped
		var arrs []*jnode
		for _, x := range nodes {
			if x.arr && len(x.elems) > 0 {
				arrs = append(arrs, x)
			}
		}
		if len(arrs) == 0 {
			return
		}
		a := arrs[rng.Intn(len(arrs))]
		i := rng.Intn(len(a.elems))
		if rng.Intn(2) == 0 {
			a.elems = append(a.elems[:i], a.elems[i+1:]...)
		} else {
			a.elems = append(a.elems, a.elems[i].clone())
		}
	default: // a value moved somewhere else
		v := nodes[rng.Intn(len(nodes))]
		*v = *nodes[rng.Intn(len(nodes))].clone()
	}
}

const noise = "{}[]\":,\\ 0anx\xff"

// mangle breaks the text itself: trailing bytes, truncation, a byte changed.
func mangle(b []byte, rng *rand.Rand) []byte {
	b = bytes.Clone(b)
	switch rng.Intn(6) {
	case 0:
		return append(b, []string{" ", "]", "}", " ]x", "}}", ",", "x", "{}", " null", "\n", "\x00", "[", `"`}[rng.Intn(13)]...)
	case 1:
		return b[:rng.Intn(len(b)+1)]
	case 2:
		return append([]byte(" \t\r\n"[:rng.Intn(5)]), b...)
	case 3:
		if len(b) > 0 {
			b[rng.Intn(len(b))] = noise[rng.Intn(len(noise))]
		}
	case 4:
		if len(b) > 0 {
			i := rng.Intn(len(b))
			b = append(b[:i], b[i+1:]...)
		}
	default:
		i := rng.Intn(len(b) + 1)
		b = append(b[:i], append([]byte{noise[rng.Intn(len(noise))]}, b[i:]...)...)
	}
	return b
}

func testSeed(t *testing.T) int64 {
	seed := time.Now().UnixNano()
	if s := os.Getenv("LM_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err)
		seed = n
	}
	t.Logf("LM_SEED=%d", seed)
	return seed
}

// TestDecodeMatchesEncodingJSON runs every payload type's valid JSON, and
// many mutations of it, through Decode and through the json.Decoder it
// replaced, and requires the same answer and the same payload.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(testSeed(t)))
	cat := catalogue.Default()
	rounds := 1500
	if testing.Short() {
		rounds = 150
	}
	all := samples(t)
	small := bigBatchReceived(t)
	small.Messages, small.Data = small.Messages[:3], small.Data[:2] // a real manifest, a few parts
	payloads := map[string][]catalogue.Payload{}
	for typ, p := range all {
		payloads[typ] = append(payloads[typ], p)
	}
	payloads["BatchReceived"] = append(payloads["BatchReceived"], small)
	types := cat.Types()
	sort.Strings(types)
	for _, typ := range types {
		require.Contains(t, payloads, typ, "every registered type has a sample")
		t.Run(typ, func(t *testing.T) {
			var accepted, rejected int
			for _, p := range payloads[typ] {
				prop, err := cat.Encode(uuid.New(), p, event.Metadata{})
				require.NoError(t, err)
				require.True(t, sameDecoding(t, cat, typ, prop.Data, false), "the valid sample decodes")
				tree := parseJSON(t, prop.Data)
				for i := range rounds {
					m := tree.clone()
					for range 1 + rng.Intn(3) {
						mutate(m, rng)
					}
					var b strings.Builder
					m.write(&b, rng)
					data := []byte(b.String())
					if rng.Intn(4) == 0 {
						data = mangle(data, rng)
					}
					if sameDecoding(t, cat, typ, data, i%2 == 0) {
						accepted++
					} else {
						rejected++
					}
					if t.Failed() {
						return
					}
				}
			}
			t.Logf("%d accepted, %d rejected", accepted, rejected)
		})
	}
}

// TestDecodeKeepsNoSliceOfUnsharedData: an event without a Memo may have its
// Data reused by whoever read it, so the payload must not keep it.
func TestDecodeKeepsNoSliceOfUnsharedData(t *testing.T) {
	cat := catalogue.Default()
	p := samples(t)["BatchReceived"]
	prop, err := cat.Encode(uuid.New(), p, event.Metadata{})
	require.NoError(t, err)
	data := bytes.Clone(prop.Data)
	got, err := cat.Decode(event.Event{ID: prop.ID, Type: prop.Type, Version: prop.Version, Data: data})
	require.NoError(t, err)
	for i := range data {
		data[i] = ' '
	}
	assert.Equal(t, p, got)
}

// TestRawPartsCannotGrowIntoEachOther: the raw parts of a BatchReceived
// decoded from a shared event are slices of one text, so each must end its
// capacity where it ends.
func TestRawPartsCannotGrowIntoEachOther(t *testing.T) {
	cat := catalogue.Default()
	b := bigBatchReceived(t)
	prop, err := cat.Encode(uuid.New(), b, event.Metadata{})
	require.NoError(t, err)
	got, err := cat.Decode(event.Event{ID: prop.ID, Type: prop.Type, Version: prop.Version, Data: prop.Data, Memo: &event.Memo{}})
	require.NoError(t, err)
	r := got.(catalogue.BatchReceived)
	_ = append(r.Messages[0], "overwrite"...)
	assert.Equal(t, b.Messages[1], r.Messages[1])
	assert.Equal(t, cap(r.Manifest), len(r.Manifest))
}

// FuzzDecodeMatchesEncodingJSON is the same comparison on fuzzed text.
func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	cat := catalogue.Default()
	types := cat.Types()
	all := samples(f)
	for i, typ := range types {
		prop, err := cat.Encode(uuid.New(), all[typ], event.Metadata{})
		require.NoError(f, err)
		f.Add(uint8(i), []byte(prop.Data))
	}
	f.Add(uint8(0), []byte(`null]`))
	f.Fuzz(func(t *testing.T, typ uint8, data []byte) {
		sameDecoding(t, cat, types[int(typ)%len(types)], data, typ&0x80 != 0)
	})
}
