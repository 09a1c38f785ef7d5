package catalogue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// ErrInvalidPayload wraps every payload validation failure.
var ErrInvalidPayload = errors.New("invalid event payload")

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidPayload, field, fmt.Sprintf(format, args...))
}

// firstError returns the first non-nil error, so Validate methods read as a
// list of checks.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func requireID(field string, id uuid.UUID) error {
	if id == uuid.Nil {
		return invalid(field, "missing id")
	}
	return nil
}

func requireNamespace(ns string) error {
	if err := protocol.ValidateNamespace(ns); err != nil {
		return invalid("namespace", "%v", err)
	}
	return nil
}

func requireHash(field string, h protocol.Hash) error {
	if h.IsZero() {
		return invalid(field, "missing hash")
	}
	return nil
}

func requireHashes(field string, hs []protocol.Hash) error {
	if len(hs) == 0 {
		return invalid(field, "at least one hash required")
	}
	for i, h := range hs {
		// The field name is only formatted on failure: logs carry many pins.
		if h.IsZero() {
			return requireHash(fmt.Sprintf("%s[%d]", field, i), h)
		}
	}
	return nil
}

func requireOrg(field string, d protocol.OrgDID) error {
	if d.IsZero() {
		return invalid(field, "missing org DID")
	}
	return nil
}

func requireKey(field string, k protocol.SigningKey) error {
	if k.IsZero() {
		return invalid(field, "missing signing key")
	}
	return nil
}

// requireObject checks that raw is a JSON object. Only the first byte is looked at: a RawMessage decoded from JSON is valid
// JSON already (the decoder checked the whole document), and one built in
// code that is not cannot be encoded (json.Marshal refuses it). Scanning it
// again here was the most expensive part of decoding a big batch, which
// every reader of the log does.
func requireObject(field string, raw json.RawMessage) error {
	if !isObject(raw) {
		return invalid(field, "must be a JSON object")
	}
	return nil
}

// requireObjects is requireObject for each item of list, named field[i].
// The name is only formatted for the error: a batch has hundreds of items,
// and formatting them all was most of the garbage of encoding one.
func requireObjects(field string, list []json.RawMessage) error {
	for i, raw := range list {
		if !isObject(raw) {
			return requireObject(fmt.Sprintf("%s[%d]", field, i), raw)
		}
	}
	return nil
}

func isObject(raw json.RawMessage) bool {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{'
}

// optionalHex accepts an empty string or bytes in lower-case hex without
// 0x.
func optionalHex(field, s string) error {
	ok := len(s)%2 == 0
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
	}
	if !ok {
		return invalid(field, "not bytes in lower-case hex without 0x")
	}
	return nil
}

// requireChainHash accepts the hex forms chains use for block and
// transaction hashes (Ethereum's 0x-prefixed, Fabric's bare), lower case only
// so equal values compare equal as strings: ^(0x)?[0-9a-f]{1,128}$. Written
// out rather than as a regexp because every observed pin is checked.
func requireChainHash(field, s string) error {
	hex := strings.TrimPrefix(s, "0x")
	ok := len(hex) >= 1 && len(hex) <= 128
	for i := 0; ok && i < len(hex); i++ {
		c := hex[i]
		ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
	}
	if !ok {
		return invalid(field, "%q is not a lower-case hex chain hash", s)
	}
	return nil
}

// requireChainName accepts ^[a-z0-9][a-z0-9:._-]{0,127}$.
func requireChainName(field, s string) error {
	ok := len(s) >= 1 && len(s) <= 128
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == ':' || c == '.' || c == '_' || c == '-')
	}
	if !ok {
		return invalid(field, "%q is not a chain name (lower-case letters, digits, ':', '.', '_', '-')", s)
	}
	return nil
}
