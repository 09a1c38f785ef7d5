package protocol

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
)

// The canonical writers of canonical.go replace canonicaljson.Marshal of the
// wire structs. On many random values, they must write the very same bytes:
// any difference would change a hash.

func TestCanonicalWritersEqualMarshalCanonicalize(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for i := range 3000 {
		g := randomGroup(t, rng)
		assertSameCanonical(t, g.hashInput(), g.appendHashInput(nil))
		require.Equal(t, hashOfMarshal(t, g.hashInput()), g.Hash(), "group %d", i)

		var data []Data
		for range rng.IntN(4) {
			d := randomData(t, rng)
			assertSameCanonical(t, d.hashInput(), d.appendHashInput(nil))
			require.Equal(t, hashOfMarshal(t, d.hashInput()), d.Hash())
			data = append(data, d)
		}
		refs := make([]DataRef, len(data))
		for j, d := range data {
			refs[j] = d.Ref()
		}
		assertSameCanonical(t, append([]DataRef{}, refs...), appendDataList(nil, refs))

		var group *Hash
		if rng.IntN(2) == 0 {
			gh := g.Hash()
			group = &gh
		}
		var messages []Message
		head := randomHeaderFields(rng, group) // a batch shares author, key, namespace and txtype
		for range 1 + rng.IntN(4) {
			f := randomHeaderFields(rng, group)
			f.Author, f.Key, f.Namespace, f.TxType = head.Author, head.Key, head.Namespace, head.TxType
			m, err := BuildMessage(f, refs)
			require.NoError(t, err)
			h := m.Header()
			assertSameCanonical(t, h.wire(), h.appendCanonical(nil))
			require.Equal(t, hashOfMarshal(t, h.wire()), h.Hash())
			messages = append(messages, m)
		}
		m, err := BuildManifest(uuid.New(), uuid.New(), messages, data)
		require.NoError(t, err)
		assertSameCanonical(t, m.wire(), m.appendCanonical(nil))
		require.Equal(t, hashOfMarshal(t, m.wire()), m.Hash())
	}
}

func TestDigestEntriesEqualMarshalCanonicalize(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2))
	for range 200 {
		contexts := map[Hash]ContextDigest{}
		for range rng.IntN(6) {
			d, err := RestoreContextDigest(SHA256([]byte(fmt.Sprint(rng.Int()))), 1+rng.Uint64N(MaxSafeInteger))
			require.NoError(t, err)
			contexts[SHA256([]byte(fmt.Sprint(rng.Int())))] = d
		}
		entries, err := namespaceDigestEntries(contexts)
		require.NoError(t, err)
		assertSameCanonical(t, entries, appendDigestEntries(nil, entries))
	}
}

// Strings are where JCS and encoding/json differ most (escapes, HTML
// characters, U+2028, invalid UTF-8), so the string writer gets its own run
// over arbitrary strings, not only over the valid topics headers allow.
func TestAppendStringsEqualsMarshalCanonicalize(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for range 5000 {
		var list []string
		if rng.IntN(10) > 0 {
			list = make([]string, rng.IntN(4))
			for i := range list {
				list[i] = randomText(rng, true)
			}
		}
		assertSameCanonical(t, list, appendStrings(nil, list))
	}
}

func assertSameCanonical(t *testing.T, wire any, fast []byte) {
	t.Helper()
	want, err := canonicaljson.Marshal(wire)
	require.NoError(t, err)
	require.Equal(t, string(want), string(fast))
}

func hashOfMarshal(t *testing.T, v any) Hash {
	t.Helper()
	b, err := canonicaljson.Marshal(v)
	require.NoError(t, err)
	return SHA256(b)
}

// textPieces are fragments random text is made of: plain ASCII, what JCS or
// encoding/json escape, multi-byte and astral characters.
var textPieces = []string{"a", "Z", "0", "-", " ", "\"", "\\", "/", "<", ">", "&", "'", "é", "中", "\u2028", "\u2029",
	"\U0001F600", "\uFFFD", "\uFFFF", "\u007f", "\u0085", "\t", "\n", "\x00", "\x1f", "\xff", "\xc3"}

// randomText makes text from textPieces; without control set, only what a
// topic may hold (valid UTF-8, no control characters).
func randomText(rng *rand.Rand, control bool) string {
	for {
		var sb strings.Builder
		for range 1 + rng.IntN(8) {
			sb.WriteString(textPieces[rng.IntN(len(textPieces))])
		}
		s := sb.String()
		if control || (len(s) <= MaxTopicLength && ValidateTopic(s) == nil) {
			return s
		}
	}
}

func randomName(rng *rand.Rand) string {
	const alphabet = "abcXYZ019._-"
	b := []byte{"aZ7"[rng.IntN(3)]}
	for range rng.IntN(10) {
		b = append(b, alphabet[rng.IntN(len(alphabet))])
	}
	return string(b)
}

func randomTopics(rng *rand.Rand) []string {
	var topics []string
	for range rng.IntN(5) {
		if t := randomText(rng, false); !contains(topics, t) {
			topics = append(topics, t)
		}
	}
	return topics
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func randomHeaderFields(rng *rand.Rand, group *Hash) MessageHeaderFields {
	author, _ := NewOrgDID(randomName(rng))
	var addr [SigningKeySize]byte
	for i := range addr {
		addr[i] = byte(rng.Uint32())
	}
	addr[0] |= 1
	key, _ := NewSigningKey(addr)
	f := MessageHeaderFields{ID: uuid.New(), Type: MessageTypeBroadcast, TxType: TxTypeBatchPin, Author: author, Key: key,
		Created: time.Date(2+rng.IntN(9997), time.Month(1+rng.IntN(12)), 1+rng.IntN(31), rng.IntN(24), rng.IntN(60),
			rng.IntN(60), rng.IntN(1e9), time.FixedZone("x", 3600*(rng.IntN(25)-12))),
		Namespace: randomName(rng), Topics: randomTopics(rng)}
	if rng.IntN(2) == 0 {
		f.TxType = TxTypeUnpinned
	}
	if group != nil {
		f.Type, f.Group = MessageTypePrivate, group
	} else if rng.IntN(2) == 0 {
		f.Type = MessageTypeDefinition
	}
	if rng.IntN(2) == 0 {
		f.CID = uuid.New()
	}
	if rng.IntN(2) == 0 {
		f.Tag = randomText(rng, false)
	}
	return f
}

func randomData(t *testing.T, rng *rand.Rand) Data {
	f := DataFields{ID: uuid.New()}
	if rng.IntN(4) > 0 {
		f.Value = json.RawMessage(randomJSON(rng, 0))
	}
	if f.Value == nil || string(f.Value) == "null" || rng.IntN(3) == 0 {
		blob, err := NewBlobRef(SHA256([]byte(fmt.Sprint(rng.Int()))), rng.Int64N(MaxSafeInteger), randomText(rng, false))
		require.NoError(t, err)
		f.Blob = &blob
	}
	if f.Value != nil && string(f.Value) != "null" && rng.IntN(2) == 0 {
		dt, err := NewDatatypeRef(randomName(rng), randomName(rng))
		require.NoError(t, err)
		f.Datatype = &dt
	}
	d, err := NewData(f)
	require.NoError(t, err)
	return d
}

// randomJSON writes a JSON text with unsorted keys, escapes and numbers in
// non-canonical spellings, for NewData to canonicalise.
func randomJSON(rng *rand.Rand, depth int) string {
	switch k := rng.IntN(8); {
	case k < 2 && depth < 3:
		var members []string
		for range rng.IntN(5) {
			key, _ := json.Marshal(randomText(rng, true))
			members = append(members, string(key)+":"+randomJSON(rng, depth+1))
		}
		rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
		return "{" + dedupeKeys(members) + "}"
	case k < 4 && depth < 3:
		var items []string
		for range rng.IntN(4) {
			items = append(items, randomJSON(rng, depth+1))
		}
		return "[" + strings.Join(items, ", ") + "]"
	case k < 6:
		numbers := []string{"0", "-0", "1", "4.50", "1e21", "1E-7", "9007199254740993", "333333333.33333329", "-12.5e3", "123456789012345"}
		return numbers[rng.IntN(len(numbers))]
	case k == 6:
		return []string{"true", "false", "null"}[rng.IntN(3)]
	}
	s, _ := json.Marshal(randomText(rng, true))
	return string(s)
}

// dedupeKeys joins members, dropping any whose key repeats an earlier one.
func dedupeKeys(members []string) string {
	var kept, keys []string
	for _, m := range members {
		var key string
		_ = json.NewDecoder(strings.NewReader(m)).Decode(&key)
		if !contains(keys, key) {
			keys, kept = append(keys, key), append(kept, m)
		}
	}
	return strings.Join(kept, ",")
}

func randomGroup(t *testing.T, rng *rand.Rand) Group {
	var members []Member
	for range 1 + rng.IntN(5) {
		org, _ := NewOrgDID(randomName(rng))
		node, _ := NewNodeDID(org, randomName(rng))
		members = append(members, Member{Identity: org, Node: node})
	}
	name := ""
	if rng.IntN(2) == 0 {
		name = randomName(rng)
	}
	g, err := NewGroup(randomName(rng), name, members)
	require.NoError(t, err)
	return g
}
