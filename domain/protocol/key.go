package protocol

import (
	"encoding/hex"
	"fmt"
)

// SigningKeySize is the length of an Ethereum address in bytes.
const SigningKeySize = 20

// SigningKey is the key an author signs pins with: an Ethereum address. Its
// text form is "0x" and 40 lower-case hex digits. The zero value (the zero
// address, which nobody holds the key to) means "no key".
type SigningKey struct{ addr [SigningKeySize]byte }

// ParseSigningKey reads "0x" and 40 hex digits in any case (so EIP-55 checksum
// addresses are accepted) and normalises to lower case, the form that is
// hashed. The checksum itself is not verified: that needs Keccak-256, which the
// domain does not carry, and the chain connector checks the key against the
// registered one anyway.
func ParseSigningKey(s string) (SigningKey, error) {
	var k SigningKey
	if len(s) != 2+2*SigningKeySize || s[0] != '0' || s[1] != 'x' {
		return k, fmt.Errorf("%w: %q is not 0x and %d hex digits", ErrInvalidKey, truncate(s), 2*SigningKeySize)
	}
	if _, err := hex.Decode(k.addr[:], []byte(s[2:])); err != nil {
		return SigningKey{}, fmt.Errorf("%w: %q is not hex", ErrInvalidKey, s)
	}
	if k.IsZero() {
		return SigningKey{}, fmt.Errorf("%w: the zero address", ErrInvalidKey)
	}
	return k, nil
}

// NewSigningKey builds a key from the address bytes.
func NewSigningKey(addr [SigningKeySize]byte) (SigningKey, error) {
	k := SigningKey{addr: addr}
	if k.IsZero() {
		return SigningKey{}, fmt.Errorf("%w: the zero address", ErrInvalidKey)
	}
	return k, nil
}

// Bytes returns the 20 address bytes.
func (k SigningKey) Bytes() [SigningKeySize]byte { return k.addr }

// IsZero reports whether k is the zero value.
func (k SigningKey) IsZero() bool { return k.addr == [SigningKeySize]byte{} }

// String returns "0x" and 40 lower-case hex digits ("" for the zero value).
func (k SigningKey) String() string {
	if k.IsZero() {
		return ""
	}
	return "0x" + hex.EncodeToString(k.addr[:])
}

// MarshalText refuses the zero value so that an unset key is never written.
func (k SigningKey) MarshalText() ([]byte, error) {
	if k.IsZero() {
		return nil, fmt.Errorf("%w: empty signing key", ErrInvalidKey)
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseSigningKey's rules.
func (k *SigningKey) UnmarshalText(b []byte) error {
	parsed, err := ParseSigningKey(string(b))
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}

// parseStoredKey reads a key field of stored or received JSON, which must
// already be in the lower-case form that was hashed.
func parseStoredKey(kind error, field, s string) (SigningKey, error) {
	k, err := ParseSigningKey(s)
	if err != nil {
		return SigningKey{}, fieldCause(kind, field, err)
	}
	// ParseSigningKey accepted s, so it is "0x" and hex digits; it is in the
	// hashed form exactly when none of them is upper case.
	for i := 2; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'F' {
			return SigningKey{}, fieldErr(kind, field, "%q is not lower case", s)
		}
	}
	return k, nil
}

// appendKey writes the key's text form, as String does.
func appendKey(dst []byte, k SigningKey) []byte {
	if k.IsZero() {
		return dst
	}
	dst = append(dst, '0', 'x')
	return hex.AppendEncode(dst, k.addr[:])
}
