package search

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits on what is indexed. Field values are bounded because engines keep
// exact values as single terms (Lucene refuses terms over 32 KiB).
const (
	// MaxNamespaceLength is the protocol's limit on names.
	MaxNamespaceLength = 64
	// MaxFieldValueBytes bounds one field value.
	MaxFieldValueBytes = 1024
	// MaxFieldValues bounds the values of one Multi field.
	MaxFieldValues = 64
)

// Validate checks what every adapter relies on: a namespace following the
// protocol's name rule, a known kind, a UUID id, declared fields of the
// document's kind only, one value unless Multi, values of valid UTF-8 of at
// most MaxFieldValueBytes, and a Text of valid UTF-8. Errors wrap
// ErrInvalidDocument.
func (d Document) Validate() error {
	if err := ValidateNamespace(d.Namespace); err != nil {
		return err
	}
	if !d.Kind.Valid() {
		return fmt.Errorf("%w: kind %q is not %q or %q", ErrInvalidDocument, d.Kind, Messages, Data)
	}
	if _, err := CanonicalID(d.ID); err != nil {
		return err
	}
	for name, values := range d.Fields {
		f, ok := LookupField(name)
		if !ok || !f.For(d.Kind) {
			return fmt.Errorf("%w: %s %s has field %q, which %s do not have (fields: %s)",
				ErrInvalidDocument, d.Kind, d.ID, name, d.Kind, strings.Join(fieldNames(), ", "))
		}
		if !f.Multi && len(values) > 1 {
			return fmt.Errorf("%w: %s %s: field %q has %d values, at most one allowed", ErrInvalidDocument, d.Kind, d.ID, name, len(values))
		}
		if len(values) > MaxFieldValues {
			return fmt.Errorf("%w: %s %s: field %q has %d values, at most %d allowed", ErrInvalidDocument, d.Kind, d.ID, name, len(values), MaxFieldValues)
		}
		for _, v := range values {
			if len(v) > MaxFieldValueBytes || !utf8.ValidString(v) {
				return fmt.Errorf("%w: %s %s: a value of field %q is not valid UTF-8 of at most %d bytes", ErrInvalidDocument, d.Kind, d.ID, name, MaxFieldValueBytes)
			}
		}
	}
	if !utf8.ValidString(d.Text) {
		return fmt.Errorf("%w: %s %s: text is not valid UTF-8", ErrInvalidDocument, d.Kind, d.ID)
	}
	return nil
}

// Values returns the non-empty values of field name, in order.
func (d Document) Values(name string) []string {
	var out []string
	for _, v := range d.Fields[name] {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Key identifies a document in an engine that keeps every namespace and kind
// in one index: "<canonical id>/<kind>/<namespace>". Its order within one
// namespace is the order of hits with equal scores (id, then kind). The id
// must be canonical (Validate, CanonicalID).
func (d Document) Key() string { return Key(d.Namespace, d.Kind, d.ID) }

// Key builds a document key (see Document.Key) from canonical parts.
func Key(ns string, kind Kind, id string) string {
	return id + "/" + string(kind) + "/" + ns
}

// ParseKey splits a key built by Key.
func ParseKey(key string) (ns string, kind Kind, id string, err error) {
	id, rest, ok := strings.Cut(key, "/")
	k, ns, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || !Kind(k).Valid() {
		return "", "", "", fmt.Errorf("search: malformed document key %q", key)
	}
	return ns, Kind(k), id, nil
}

// CanonicalID parses a UUID in any form uuid.Parse accepts and returns it
// lower-case and hyphenated. Errors wrap ErrInvalidDocument.
func CanonicalID(id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", fmt.Errorf("%w: id %q is not a UUID", ErrInvalidDocument, id)
	}
	return u.String(), nil
}

// Canonical returns d validated, with its id in canonical form and its
// fields reduced to their non-empty values.
func (d Document) Canonical() (Document, error) {
	if err := d.Validate(); err != nil {
		return Document{}, err
	}
	d.ID, _ = CanonicalID(d.ID)
	fields := make(map[string][]string, len(d.Fields))
	for name := range d.Fields {
		if vs := d.Values(name); len(vs) > 0 {
			fields[name] = vs
		}
	}
	d.Fields = fields
	return d, nil
}

// PrepareBatch validates and canonicalizes docs for an adapter and drops
// every document that a later one in docs replaces (same key), keeping the
// order of the survivors. On error nothing should be written.
func PrepareBatch(docs []Document) ([]Document, error) {
	out := make([]Document, 0, len(docs))
	last := make(map[string]int, len(docs))
	for _, d := range docs {
		c, err := d.Canonical()
		if err != nil {
			return nil, err
		}
		if i, ok := last[c.Key()]; ok {
			out[i] = c
			continue
		}
		last[c.Key()] = len(out)
		out = append(out, c)
	}
	return out, nil
}

// ValidateNamespace checks the protocol's name rule (domain/protocol
// ValidateName): 1 to 64 characters of [A-Za-z0-9._-], starting with a
// letter or digit. Errors wrap ErrInvalidDocument.
func ValidateNamespace(ns string) error {
	if err := checkNamespace(ns); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	return nil
}

func checkNamespace(ns string) error {
	if len(ns) > MaxNamespaceLength {
		return fmt.Errorf("namespace of %d bytes is longer than %d", len(ns), MaxNamespaceLength)
	}
	if ns == "" || !isAlnum(ns[0]) {
		return fmt.Errorf("namespace %q must be 1 to %d characters of A-Z a-z 0-9 . _ -, starting with a letter or digit", ns, MaxNamespaceLength)
	}
	for i := 1; i < len(ns); i++ {
		if c := ns[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return fmt.Errorf("namespace %q may only contain A-Z a-z 0-9 . _ -", ns)
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
