package protocol

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// ContextDigest is a member's running digest of the messages it confirmed on
// one context, in pin order: d0 is 32 zero bytes and d(i) =
// sha256(d(i-1) || messageHashBytes). The zero value is the empty digest.
type ContextDigest struct {
	digest Hash
	count  uint64
}

// RestoreContextDigest rebuilds a digest from stored values. A count of zero
// must come with the zero digest.
func RestoreContextDigest(digest Hash, count uint64) (ContextDigest, error) {
	if count == 0 && !digest.IsZero() {
		return ContextDigest{}, fmt.Errorf("%w: count 0 with a non-zero digest", ErrInvalidDigest)
	}
	return ContextDigest{digest: digest, count: count}, nil
}

// Add folds in the next confirmed message on the context.
func (d *ContextDigest) Add(messageHash Hash) {
	var buf [2 * HashSize]byte
	copy(buf[:HashSize], d.digest[:])
	copy(buf[HashSize:], messageHash[:])
	d.digest = sha256.Sum256(buf[:])
	d.count++
}

// Digest returns the running digest.
func (d ContextDigest) Digest() Hash { return d.digest }

// Count returns how many messages were added.
func (d ContextDigest) Count() uint64 { return d.count }

type contextDigestJSON struct {
	Digest *Hash   `json:"digest"`
	Count  *uint64 `json:"count"`
}

var contextDigestSpec = specOf[contextDigestJSON]()

// MarshalJSON writes {"digest","count"}.
func (d ContextDigest) MarshalJSON() ([]byte, error) {
	return json.Marshal(contextDigestJSON{Digest: &d.digest, Count: &d.count})
}

// UnmarshalJSON reads {"digest","count"} through RestoreContextDigest.
func (d *ContextDigest) UnmarshalJSON(raw []byte) error {
	var w contextDigestJSON
	var o strictObject
	if err := o.open(ErrInvalidDigest, raw, false, contextDigestSpec); err != nil {
		return err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "digest":
			decodeHashPtr(&o, m, &w.Digest)
		case "count":
			decodeNumberPtr(&o, m, &w.Count)
		}
		if o.stopped() {
			break
		}
	}
	if err := o.err(); err != nil {
		return err
	}
	if w.Digest == nil || w.Count == nil {
		return fieldErr(ErrInvalidDigest, "", "digest and count are required")
	}
	restored, err := RestoreContextDigest(*w.Digest, *w.Count)
	if err != nil {
		return err
	}
	*d = restored
	return nil
}

type namespaceDigestEntry struct {
	Context Hash   `json:"context"`
	Count   uint64 `json:"count"`
	Digest  Hash   `json:"digest"`
}

// NamespaceDigest summarises a set of contexts (the broadcast contexts of a
// namespace, or one private group's):
// sha256(canonical([{"context": hex, "count": n, "digest": hex}, ...])) sorted
// by context hex.
//
// Contexts with count 0 are left out: a context nobody confirmed anything on
// and one that was never seen must not make two members' digests differ.
// Counts above MaxSafeInteger are an error, because canonical JSON would round
// them.
func NamespaceDigest(contexts map[Hash]ContextDigest) (Hash, error) {
	entries, err := namespaceDigestEntries(contexts)
	if err != nil {
		return Hash{}, err
	}
	return SHA256(appendDigestEntries(make([]byte, 0, 160*len(entries)+2), entries)), nil
}

func namespaceDigestEntries(contexts map[Hash]ContextDigest) ([]namespaceDigestEntry, error) {
	entries := []namespaceDigestEntry{}
	// Hex is fixed-width lower case, so the byte order of the hashes is the
	// order of their hex strings.
	for _, ctx := range slices.SortedFunc(maps.Keys(contexts), compareHashes) {
		d := contexts[ctx]
		if d.count == 0 {
			continue
		}
		if d.count > MaxSafeInteger {
			return nil, fmt.Errorf("%w: context %s count %d exceeds %d", ErrInvalidDigest, ctx, d.count, int64(MaxSafeInteger))
		}
		entries = append(entries, namespaceDigestEntry{Context: ctx, Count: d.count, Digest: d.digest})
	}
	return entries, nil
}

func compareHashes(a, b Hash) int { return bytes.Compare(a[:], b[:]) }
