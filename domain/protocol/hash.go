package protocol

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
)

// HashSize is the length of a SHA-256 digest in bytes.
const HashSize = sha256.Size

// Hash is a SHA-256 digest. Its text form is 64 lower-case hex digits with no
// 0x prefix; the zero value is 32 zero bytes (the empty running digest).
type Hash [HashSize]byte

// SHA256 hashes raw bytes (for example a blob's content).
func SHA256(b []byte) Hash { return sha256.Sum256(b) }

// ParseHash reads 64 lower-case hex digits. Upper case is rejected so that a
// hash has exactly one spelling wherever it is embedded in hashed JSON.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, fmt.Errorf("%w: %q is not %d hex digits", ErrInvalidHash, truncate(s), 2*HashSize)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLowerHex(c) {
			return h, fmt.Errorf("%w: %q is not lower-case hex", ErrInvalidHash, truncate(s))
		}
	}
	_, _ = hex.Decode(h[:], []byte(s)) // cannot fail: checked above
	return h, nil
}

// parseHashBytes is ParseHash's success case: 64 lower-case hex digits.
func parseHashBytes(b []byte) (Hash, bool) {
	var h Hash
	if len(b) != 2*HashSize {
		return h, false
	}
	for i := range h {
		hi, lo := lowerHexValue[b[2*i]], lowerHexValue[b[2*i+1]]
		if (hi|lo)&notHex != 0 {
			return h, false
		}
		h[i] = hi<<4 | lo
	}
	return h, true
}

// lowerHexValue maps a lower-case hex digit to its value and every other byte
// to notHex: hashes and ids are most of what a receiver parses.
var lowerHexValue = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9':
			t[c] = byte(c - '0')
		case c >= 'a' && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		default:
			t[c] = notHex
		}
	}
	return t
}()

// notHex has a bit no digit value has, so one OR tests two digits.
const notHex = 0x10

func isLowerHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

// String returns the lower-case hex form.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is 32 zero bytes.
func (h Hash) IsZero() bool { return h == Hash{} }

// MarshalText implements encoding.TextMarshaler (so a Hash can key a JSON map).
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseHash's rules.
func (h *Hash) UnmarshalText(b []byte) error {
	parsed, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = parsed
	return nil
}

// MarshalJSON writes the hex form as a JSON string.
func (h Hash) MarshalJSON() ([]byte, error) { return appendHash(make([]byte, 0, 2*HashSize+2), h), nil }

// AppendJSON appends what MarshalJSON writes. Unlike the other types'
// AppendJSON it returns no error: a hash always has its JSON form.
func (h Hash) AppendJSON(dst []byte) []byte { return appendHash(dst, h) }

// UnmarshalJSON accepts only a JSON string holding a valid hash; unlike the
// text form's default handling, null is an error rather than a silent zero.
func (h *Hash) UnmarshalJSON(b []byte) error {
	s, ok := plainString(b)
	if !ok {
		// Escapes, whitespace or not a string at all: let encoding/json decide.
		if err := json.Unmarshal(b, &s); err != nil {
			return errNotJSONString
		}
	}
	parsed, err := ParseHash(s)
	if err != nil {
		return err
	}
	*h = parsed
	return nil
}

var errNotJSONString = fmt.Errorf("%w: not a JSON string", ErrInvalidHash)

// plainString returns the text of b when b is a JSON string literal that
// needs no decoding: printable ASCII without escapes.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	for _, c := range b[1 : len(b)-1] {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(b[1 : len(b)-1]), true
}

// appendHash writes h as a quoted JSON string, the form it has in every
// hashed structure (hex needs no escaping).
func appendHash(dst []byte, h Hash) []byte {
	dst = append(dst, '"')
	dst = hex.AppendEncode(dst, h[:])
	return append(dst, '"')
}

// hashCanonical is the general way of hashing a structure: SHA-256 of the RFC
// 8785 form of v's JSON encoding. The protocol's own structures write their
// canonical form directly (canonical.go), which must give the same bytes;
// this remains for the error cases those writers hand back to it.
func hashCanonical(v any) (Hash, error) {
	b, err := canonicaljson.Marshal(v)
	if err != nil {
		return Hash{}, err
	}
	return SHA256(b), nil
}

// truncate keeps error messages short when input is hostile.
func truncate(s string) string {
	const limit = 80
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
