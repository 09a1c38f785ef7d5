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
func (h Hash) MarshalJSON() ([]byte, error) { return json.Marshal(h.String()) }

// UnmarshalJSON accepts only a JSON string holding a valid hash; unlike the
// text form's default handling, null is an error rather than a silent zero.
func (h *Hash) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: not a JSON string", ErrInvalidHash)
	}
	return h.UnmarshalText([]byte(s))
}

// hashCanonical is the protocol's one way of hashing a structure: SHA-256 of the
// RFC 8785 form of v's JSON encoding.
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
