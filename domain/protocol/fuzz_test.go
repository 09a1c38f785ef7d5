package protocol

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
)

// Every parser of outside input: arbitrary bytes never panic, and whatever
// parses re-marshals to JSON that parses back to the same hash.

func FuzzUnmarshalMessageHeader(f *testing.F) {
	full := broadcastFields(f)
	full.CID = uuid.New()
	full.Tag = "tag"
	full.Topics = []string{"a", "café"}
	full.DataHash = SHA256(nil)
	h, err := NewMessageHeader(full)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mustJSON(f, h))
	f.Add(mustJSON(f, mustMessage(f, privateFields(f, SHA256([]byte("g")))).Header()))
	f.Add([]byte(`{"id":"x","topics":[]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, err := UnmarshalMessageHeader(raw)
		if err != nil {
			return
		}
		again, err := UnmarshalMessageHeader(mustJSON(t, h))
		if err != nil {
			t.Fatalf("re-read failed: %v", err)
		}
		if again.Hash() != h.Hash() {
			t.Fatalf("hash changed on round trip")
		}
		assertHashOfCanonical(t, h, h.Hash())
	})
}

func FuzzUnmarshalMessage(f *testing.F) {
	f.Add(mustJSON(f, mustMessage(f, broadcastFields(f), mustData(f, `1`))))
	f.Add(mustJSON(f, mustMessage(f, privateFields(f, SHA256(nil)))))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := UnmarshalMessage(raw)
		if err != nil {
			return
		}
		again, err := UnmarshalMessage(mustJSON(t, m))
		if err != nil {
			t.Fatalf("re-read failed: %v", err)
		}
		if again.Hash() != m.Hash() {
			t.Fatalf("hash changed on round trip")
		}
	})
}

func FuzzUnmarshalData(f *testing.F) {
	blob, err := NewBlobRef(SHA256([]byte("b")), 1, "b.txt")
	if err != nil {
		f.Fatal(err)
	}
	dt, err := NewDatatypeRef("t", "1")
	if err != nil {
		f.Fatal(err)
	}
	d, err := NewData(DataFields{ID: uuid.New(), Value: json.RawMessage(`{"a":[1,"\u00e9"]}`), Blob: &blob, Datatype: &dt})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mustJSON(f, d))
	f.Add(mustJSON(f, mustData(f, `4.50`)))
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := UnmarshalData(raw)
		if err != nil {
			return
		}
		again, err := UnmarshalData(mustJSON(t, d))
		if err != nil {
			t.Fatalf("re-read failed: %v", err)
		}
		if again.Hash() != d.Hash() {
			t.Fatalf("hash changed on round trip")
		}
		assertHashOfCanonical(t, d.hashInput(), d.Hash())
	})
}

func FuzzUnmarshalGroup(f *testing.F) {
	acme, zeta := mustOrg(f, "acme"), mustOrg(f, "zeta")
	g, err := NewGroup("ns", "g", []Member{{zeta, mustNode(f, zeta, "n")}, {acme, mustNode(f, acme, "n")}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mustJSON(f, g))
	f.Fuzz(func(t *testing.T, raw []byte) {
		g, err := UnmarshalGroup(raw)
		if err != nil {
			return
		}
		again, err := UnmarshalGroup(mustJSON(t, g))
		if err != nil {
			t.Fatalf("re-read failed: %v", err)
		}
		if again.Hash() != g.Hash() {
			t.Fatalf("hash changed on round trip")
		}
		assertHashOfCanonical(t, g.hashInput(), g.Hash())
	})
}

func FuzzUnmarshalManifest(f *testing.F) {
	d := mustData(f, `1`)
	m1 := mustMessage(f, broadcastFields(f), d)
	m, err := BuildManifest(uuid.New(), uuid.New(), []Message{m1}, []Data{d})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mustJSON(f, m))
	group := SHA256(nil)
	m2 := mustMessage(f, privateFields(f, group))
	m, err = BuildManifest(uuid.New(), uuid.New(), []Message{m2}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mustJSON(f, m))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := UnmarshalManifest(raw)
		if err != nil {
			return
		}
		again, err := UnmarshalManifest(mustJSON(t, m))
		if err != nil {
			t.Fatalf("re-read failed: %v", err)
		}
		if again.Hash() != m.Hash() {
			t.Fatalf("hash changed on round trip")
		}
		assertHashOfCanonical(t, m, m.Hash())
		if _, err := BatchPins(m, counter{}); err != nil {
			t.Fatalf("pins of a valid manifest: %v", err)
		}
	})
}

func FuzzParseText(f *testing.F) {
	for _, s := range []string{"did:lm:org/acme", "did:lm:node/acme/n1", "0xAbCdEf0123456789ABCDEF0123456789abcdef01",
		"2026-01-02T03:04:05.123456789Z", strings.Repeat("ab", 32), "6a1f4c2e-8b3d-4e5f-9a7b-1c2d3e4f5a6b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseOrgDID(s); err == nil && d.String() != s {
			t.Fatalf("org DID %q reads back as %q", s, d)
		}
		if d, err := ParseNodeDID(s); err == nil && d.String() != s {
			t.Fatalf("node DID %q reads back as %q", s, d)
		}
		if k, err := ParseSigningKey(s); err == nil && k.String() != strings.ToLower(s) {
			t.Fatalf("key %q reads back as %q", s, k)
		}
		if ts, err := ParseTimestamp(s); err == nil && ts.String() != s {
			t.Fatalf("time %q reads back as %q", s, ts)
		}
		if h, err := ParseHash(s); err == nil && h.String() != s {
			t.Fatalf("hash %q reads back as %q", s, h)
		}
		if id, err := ParseID(s); err == nil && id.String() != s {
			t.Fatalf("id %q reads back as %q", s, id)
		}
	})
}

// assertHashOfCanonical checks that want is SHA-256 of v's canonical JSON.
func assertHashOfCanonical(t *testing.T, v any, want Hash) {
	t.Helper()
	b, err := canonicaljson.Marshal(v)
	if err != nil {
		t.Fatalf("canonical form: %v", err)
	}
	if SHA256(b) != want {
		t.Fatalf("hash is not sha256 of the canonical form %s", b)
	}
}
