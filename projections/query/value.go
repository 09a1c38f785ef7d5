package query

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// parseValue turns one operand into the Go value a condition on f with op
// carries or, when it cannot, says what the operand should have been.
func parseValue(f Field, op Op, fold bool, s string) (any, string) {
	switch f.Type {
	case String, StringList:
		if fold {
			s = asciiLower(s)
		}
		return s, ""
	case Enum:
		if !slices.Contains(f.Enum, s) {
			return nil, "one of " + strings.Join(f.Enum, ", ")
		}
		return s, ""
	case Int:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, "a 64-bit integer"
		}
		return n, ""
	case Time:
		t, ok := parseTime(s)
		if !ok {
			return nil, "a time (RFC 3339, or Unix milliseconds, within the years 0000-9999 UTC)"
		}
		return t, ""
	case UUID:
		u, ok := parseUUID(s)
		if !ok {
			return nil, "a UUID (8-4-4-4-12 hex digits)"
		}
		return u, ""
	case Hash:
		if op.pattern() {
			if len(s) > 64 || !isHex(s) {
				return nil, "a fragment of a hash (1 to 64 hex digits)"
			}
			return asciiLower(s), ""
		}
		var h [32]byte
		if len(s) != 64 || !isHex(s) {
			return nil, "a hash (64 hex digits)"
		}
		_, _ = hex.Decode(h[:], []byte(s))
		return h, ""
	case Bool:
		switch s {
		case "true":
			return true, ""
		case "false":
			return false, ""
		}
		return nil, "true or false"
	}
	return nil, "a value of a known type"
}

// minTime and maxTime bound the instants a filter may name: the years RFC 3339
// can write, so that every parsed time can be written back.
var (
	minTime = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

func parseTime(s string) (time.Time, bool) {
	var t time.Time
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		t = time.UnixMilli(ms).UTC()
	} else {
		// A comma would split an in-list item, and Go's parser (unlike RFC
		// 3339) accepts one before the fraction: refuse it everywhere.
		if strings.Contains(s, ",") {
			return time.Time{}, false
		}
		p, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return time.Time{}, false
		}
		t = p.UTC()
	}
	if t.Before(minTime) || !t.Before(maxTime) {
		return time.Time{}, false
	}
	return t, true
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// parseUUID reads the canonical 36-character form, in either case.
func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	digits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if !isHex(digits) {
		return u, false
	}
	_, _ = hex.Decode(u[:], []byte(digits))
	return u, true
}

func formatUUID(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// isHex reports whether s is non-empty and all hex digits.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if (b < '0' || b > '9') && (b < 'a' || b > 'f') && (b < 'A' || b > 'F') {
			return false
		}
	}
	return true
}

// asciiLower maps A-Z to a-z and leaves every other byte alone: the folding
// SQLite's lower() does, which every adapter can reproduce.
func asciiLower(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if b[i] >= 'A' && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

// formatValue writes a condition value the way parseValue reads it.
func formatValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case time.Time:
		return formatTime(v)
	case [16]byte:
		return formatUUID(v)
	case [32]byte:
		return hex.EncodeToString(v[:])
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}
