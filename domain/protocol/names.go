package protocol

import (
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Limits on names and topics. Names are ASCII so that every ordering rule in the
// protocol (byte order, UTF-16 order, code point order) agrees on them, and
// they contain no 0x00, so the 0x00 separator in context hashes is never
// ambiguous.
const (
	// MaxNameLength bounds org, node, namespace, datatype and group names.
	MaxNameLength = 64
	// MaxTopicLength bounds a topic or tag, in bytes of UTF-8.
	MaxTopicLength = 64
	// MaxTopics bounds the topics of one message; each topic costs a pin.
	MaxTopics = 16
	// DefaultTopic is used when a message names no topic.
	DefaultTopic = "default"
	// DefinitionsTopic is the system topic on which identities and datatypes
	// are broadcast.
	DefinitionsTopic = "lm_definitions"
)

// ValidateName checks the protocol's name rule, shared by org and node names,
// namespaces, datatype names and versions and group names: 1 to 64 characters
// of [A-Za-z0-9._-], starting with a letter or digit. Names are case-sensitive.
func ValidateName(name string) error {
	if name == "" || len(name) > MaxNameLength {
		return fmt.Errorf("%w: %q must be 1 to %d characters", ErrInvalidName, truncate(name), MaxNameLength)
	}
	if !isAlnum(name[0]) {
		return fmt.Errorf("%w: %q must start with a letter or digit", ErrInvalidName, name)
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return fmt.Errorf("%w: %q may only contain A-Z a-z 0-9 . _ -", ErrInvalidName, name)
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ValidateNamespace checks a namespace name (ValidateName's rule).
func ValidateNamespace(ns string) error { return ValidateName(ns) }

// ValidateTopic checks one topic: 1 to MaxTopicLength bytes of valid UTF-8
// without control characters. Topics are free text (unlike names) because
// applications use them for their own keys, but a control character, and
// above all 0x00, has no business in a value that is hashed next to a 0x00
// separator.
func ValidateTopic(topic string) error {
	if topic == "" || len(topic) > MaxTopicLength {
		return fmt.Errorf("%w: %q must be 1 to %d bytes", ErrInvalidTopic, truncate(topic), MaxTopicLength)
	}
	return validText(ErrInvalidTopic, topic)
}

// normalizeTopics applies the default topic and checks the list: at most
// MaxTopics, each valid, none repeated (a repeat would pin the same message
// twice on one context). The result is a fresh slice.
func normalizeTopics(topics []string) ([]string, error) {
	if len(topics) == 0 {
		return []string{DefaultTopic}, nil
	}
	if len(topics) > MaxTopics {
		return nil, fmt.Errorf("%w: %d topics, at most %d allowed", ErrInvalidTopic, len(topics), MaxTopics)
	}
	for i, t := range topics {
		if err := ValidateTopic(t); err != nil {
			return nil, err
		}
		// At most MaxTopics: comparing with the earlier ones beats a map.
		if slices.Contains(topics[:i], t) {
			return nil, fmt.Errorf("%w: %q appears twice", ErrInvalidTopic, t)
		}
	}
	return append([]string(nil), topics...), nil
}

// validText rejects invalid UTF-8 and control characters (C0, DEL, C1).
func validText(kind error, s string) error {
	if isPrintableASCII(s) {
		return nil // the usual case, settled without decoding runes
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %q is not valid UTF-8", kind, truncate(s))
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: %q contains control character U+%04X", kind, truncate(s), r)
		}
	}
	return nil
}

// isPrintableASCII reports whether s is all ASCII without control characters
// (so valid UTF-8 and free of what validText rejects).
func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
