package http

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// The authentication headers and the first line of the string to sign
// (package doc, "Authentication").
const (
	HeaderSender        = "LM-Sender"
	HeaderTimestamp     = "LM-Timestamp"
	HeaderContentSHA256 = "LM-Content-SHA256"
	HeaderSignature     = "LM-Signature"
	signatureScheme     = "LM-DX-V1"
)

const (
	maxTimestampDigits = 19 // fits an int64
	signatureB64Len    = 88 // base64 of ed25519.SignatureSize bytes, padded
	maxClaimedLen      = 256
)

var signatureEncoding = base64.StdEncoding.Strict()

// credentials are the authentication headers of a request, parsed.
type credentials struct {
	sender    protocol.NodeDID
	timestamp string // as sent: it is signed as text
	unix      int64
	content   protocol.Hash
	signature []byte
}

// stringToSign builds the signed text; every field is free of "\n" (the
// parsers and the client guarantee it), so the lines cannot be confused.
func stringToSign(method, path, timestamp string, content protocol.Hash, sender, recipient protocol.NodeDID) []byte {
	return []byte(strings.Join([]string{
		signatureScheme, method, path, timestamp, content.String(), sender.String(), recipient.String(),
	}, "\n"))
}

// sign sets the authentication headers of a request from sender to
// recipient.
func sign(h http.Header, key ed25519.PrivateKey, method, path string, now time.Time, content protocol.Hash,
	sender, recipient protocol.NodeDID) {
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := ed25519.Sign(key, stringToSign(method, path, ts, content, sender, recipient))
	h.Set(HeaderSender, sender.String())
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderContentSHA256, content.String())
	h.Set(HeaderSignature, signatureEncoding.EncodeToString(sig))
}

// parseCredentials reads the authentication headers. Claimed is the sender
// the request named, made safe to record (bounded, valid UTF-8), even when
// the headers are unusable.
func parseCredentials(h http.Header) (c credentials, claimed string, err error) {
	claimed = claimOf(h.Get(HeaderSender))
	sender, err := single(h, HeaderSender)
	if err != nil {
		return c, claimed, err
	}
	if c.sender, err = protocol.ParseNodeDID(sender); err != nil {
		return c, claimed, fmt.Errorf("%s is not a node DID", HeaderSender)
	}
	if c.timestamp, err = single(h, HeaderTimestamp); err != nil {
		return c, claimed, err
	}
	if c.unix, err = parseTimestamp(c.timestamp); err != nil {
		return c, claimed, err
	}
	content, err := single(h, HeaderContentSHA256)
	if err != nil {
		return c, claimed, err
	}
	if c.content, err = protocol.ParseHash(content); err != nil {
		return c, claimed, fmt.Errorf("%s is not 64 lower-case hex digits", HeaderContentSHA256)
	}
	sig, err := single(h, HeaderSignature)
	if err != nil {
		return c, claimed, err
	}
	if len(sig) != signatureB64Len {
		return c, claimed, fmt.Errorf("%s is not %d characters of base64", HeaderSignature, signatureB64Len)
	}
	if c.signature, err = signatureEncoding.DecodeString(sig); err != nil || len(c.signature) != ed25519.SignatureSize {
		return c, claimed, fmt.Errorf("%s is not the base64 of an ed25519 signature", HeaderSignature)
	}
	return c, claimed, nil
}

// verify checks the signature against the sender's key, then the clock.
func (c credentials) verify(key ed25519.PublicKey, method, path string, recipient protocol.NodeDID, now time.Time,
	skew time.Duration) error {
	if !ed25519.Verify(key, stringToSign(method, path, c.timestamp, c.content, c.sender, recipient), c.signature) {
		return errors.New("the signature does not verify with the sender's registered key")
	}
	off := now.Sub(time.Unix(c.unix, 0))
	if off < 0 {
		off = -off
	}
	if off > skew {
		return fmt.Errorf("%s is %s off this node's clock (at most %s allowed)", HeaderTimestamp, off.Truncate(time.Second), skew)
	}
	return nil
}

func single(h http.Header, name string) (string, error) {
	switch v := h.Values(name); len(v) {
	case 0:
		return "", fmt.Errorf("no %s header", name)
	case 1:
		return v[0], nil
	default:
		return "", fmt.Errorf("%d %s headers", len(v), name)
	}
}

// parseTimestamp reads 1 to 19 ASCII digits (strconv alone would also take
// a sign).
func parseTimestamp(s string) (int64, error) {
	bad := fmt.Errorf("%s is not 1 to %d digits", HeaderTimestamp, maxTimestampDigits)
	if s == "" || len(s) > maxTimestampDigits {
		return 0, bad
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, bad
	}
	return n, nil
}

// claimOf makes a claimed sender safe to record: valid UTF-8, at most
// maxClaimedLen bytes, then "..." if it was cut.
func claimOf(s string) string {
	cut := false
	if len(s) > maxClaimedLen {
		s, cut = cutAt(s, maxClaimedLen), true
	}
	s = strings.ToValidUTF8(s, "\uFFFD") // may grow it
	if len(s) > maxClaimedLen {
		s, cut = cutAt(s, maxClaimedLen), true
	}
	if cut {
		s += "..."
	}
	return s
}

// cutAt returns at most the first n bytes of s, not splitting a character.
func cutAt(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
