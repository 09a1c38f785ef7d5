package protocol

import (
	"strconv"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
)

// The protocol's structures write their RFC 8785 form directly instead of
// going through encoding/json and canonicaljson.Canonicalize, which re-parses
// what was just written: every member hashes every header, data item and
// manifest it sends or receives, and that round trip was most of the cost.
//
// Each writer must produce exactly canonicaljson.Marshal of the wire struct it
// replaces (headerJSON, dataHashInput, groupHashInput, manifestJSON, the data
// list); canonical_test.go checks that on random values. That holds because
// these structures only hold strings, string lists, small integers and nested
// structures of the same kind, so JCS comes down to:
//
//   - members written in sorted order: every key is ASCII, where UTF-16 order
//     is byte order, so the order below is simply alphabetical;
//   - strings through canonicaljson.AppendString, except hex, UUIDs and times,
//     which this package formats itself and which never need escaping;
//   - integers below 2^53 written in plain decimal, as ECMAScript does;
//   - omitempty members left out exactly when encoding/json leaves them out,
//     and nil lists written as null, as encoding/json writes them.
//
// The writers assume values built by their constructors (ids set, DIDs and
// keys non-zero), as hashing only happens there.

// hashBufferSize covers a header, a data item with a small value or a group of
// a few members, so hashing those needs no heap buffer.
const hashBufferSize = 1024

// appendCanonical writes headerJSON's canonical form.
func (h MessageHeader) appendCanonical(b []byte) []byte {
	b = append(b, `{"author":`...)
	b = canonicaljson.AppendString(b, h.author.String())
	if h.cid != uuid.Nil {
		b = append(b, `,"cid":`...)
		b = appendQuotedUUID(b, h.cid)
	}
	b = append(b, `,"created":"`...)
	b = appendTimestamp(b, h.created)
	b = append(b, `","datahash":`...)
	b = appendHash(b, h.dataHash)
	if h.group != nil {
		b = append(b, `,"group":`...)
		b = appendHash(b, *h.group)
	}
	b = append(b, `,"id":`...)
	b = appendQuotedUUID(b, h.id)
	b = append(b, `,"key":"`...)
	b = appendKey(b, h.key)
	b = append(b, `","namespace":`...)
	b = canonicaljson.AppendString(b, h.namespace)
	if h.tag != "" {
		b = append(b, `,"tag":`...)
		b = canonicaljson.AppendString(b, h.tag)
	}
	b = append(b, `,"topics":`...)
	b = appendStrings(b, h.topics)
	b = append(b, `,"txtype":`...)
	b = canonicaljson.AppendString(b, string(h.txType))
	b = append(b, `,"type":`...)
	b = canonicaljson.AppendString(b, string(h.typ))
	return append(b, '}')
}

// appendHashInput writes dataHashInput's canonical form. The value is stored
// in canonical form already, so it is copied as it is.
func (d Data) appendHashInput(b []byte) []byte {
	b = append(b, '{')
	sep := false
	if d.blob != nil {
		b = append(b, `"blob":`...)
		b = appendHash(b, d.blob.hash)
		sep = true
	}
	if d.datatype != nil {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"datatype":{"name":`...)
		b = canonicaljson.AppendString(b, d.datatype.name)
		b = append(b, `,"version":`...)
		b = canonicaljson.AppendString(b, d.datatype.version)
		b = append(b, '}')
		sep = true
	}
	if len(d.value) > 0 {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"value":`...)
		b = append(b, d.value...)
	}
	return append(b, '}')
}

// appendHashInput writes groupHashInput's canonical form.
func (g Group) appendHashInput(b []byte) []byte {
	b = append(b, `{"members":`...)
	if g.members == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, m := range g.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"identity":`...)
			b = canonicaljson.AppendString(b, m.Identity.String())
			b = append(b, `,"node":`...)
			b = canonicaljson.AppendString(b, m.Node.String())
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"name":`...)
	b = canonicaljson.AppendString(b, g.name)
	b = append(b, `,"namespace":`...)
	b = canonicaljson.AppendString(b, g.namespace)
	return append(b, '}')
}

// appendCanonical writes manifestJSON's canonical form.
func (m Manifest) appendCanonical(b []byte) []byte {
	b = append(b, `{"author":`...)
	b = canonicaljson.AppendString(b, m.author.String())
	b = append(b, `,"data":`...)
	b = appendDataList(b, m.data) // "[]" for nil, as wire() writes it
	if m.group != nil {
		b = append(b, `,"group":`...)
		b = appendHash(b, *m.group)
	}
	b = append(b, `,"id":`...)
	b = appendQuotedUUID(b, m.id)
	b = append(b, `,"key":"`...)
	b = appendKey(b, m.key)
	b = append(b, `","messages":`...)
	if m.messages == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, e := range m.messages {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"hash":`...)
			b = appendHash(b, e.Hash)
			b = append(b, `,"id":`...)
			b = appendQuotedUUID(b, e.ID)
			b = append(b, `,"topics":`...)
			b = appendStrings(b, e.Topics)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"namespace":`...)
	b = canonicaljson.AppendString(b, m.namespace)
	b = append(b, `,"tx":`...)
	b = appendQuotedUUID(b, m.txID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, ManifestVersion, 10)
	return append(b, '}')
}

// canonicalSize estimates a manifest's canonical length, so that a batch's is
// written into one allocation.
func (m Manifest) canonicalSize() int {
	const perMessage, perTopic, perData = 128, 24, 112
	n := 512 + perData*len(m.data)
	for _, e := range m.messages {
		n += perMessage + perTopic*len(e.Topics)
	}
	return n
}

// appendDataList writes a data list's canonical form, "[]" when empty. Every
// id must be set (DataRef.MarshalJSON refuses a nil one; DataListHash checks
// first).
func appendDataList(b []byte, refs []DataRef) []byte {
	b = append(b, '[')
	for i, r := range refs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"hash":`...)
		b = appendHash(b, r.Hash)
		b = append(b, `,"id":`...)
		b = appendQuotedUUID(b, r.ID)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendStrings writes a string list, null for nil as encoding/json does.
func appendStrings(b []byte, list []string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = canonicaljson.AppendString(b, s)
	}
	return append(b, ']')
}

func appendQuotedUUID(b []byte, id uuid.UUID) []byte {
	b = append(b, '"')
	b = appendUUID(b, id)
	return append(b, '"')
}

// appendDigestEntries writes a namespace digest's entry list. Counts are at
// most MaxSafeInteger (namespaceDigestEntries checks), so plain decimal is
// their canonical form.
func appendDigestEntries(b []byte, entries []namespaceDigestEntry) []byte {
	b = append(b, '[')
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"context":`...)
		b = appendHash(b, e.Context)
		b = append(b, `,"count":`...)
		b = strconv.AppendUint(b, e.Count, 10)
		b = append(b, `,"digest":`...)
		b = appendHash(b, e.Digest)
		b = append(b, '}')
	}
	return append(b, ']')
}
