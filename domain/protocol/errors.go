package protocol

import (
	"errors"
	"fmt"
)

// Sentinel errors, one per kind of value. Constructors and unmarshallers return
// a *FieldError that wraps one of them (and, when a nested value was at fault,
// that value's error too), so errors.Is works on either.
var (
	ErrInvalidHash      = errors.New("invalid hash")
	ErrInvalidName      = errors.New("invalid name")
	ErrInvalidIdentity  = errors.New("invalid identity")
	ErrInvalidKey       = errors.New("invalid signing key")
	ErrInvalidTimestamp = errors.New("invalid timestamp")
	ErrInvalidTopic     = errors.New("invalid topic")
	ErrInvalidData      = errors.New("invalid data")
	ErrInvalidMessage   = errors.New("invalid message")
	ErrInvalidGroup     = errors.New("invalid group")
	ErrInvalidManifest  = errors.New("invalid batch manifest")
	ErrInvalidDigest    = errors.New("invalid digest")
	ErrInvalidPin       = errors.New("cannot compute pins")
)

// FieldError names the field of a value that failed validation.
type FieldError struct {
	// Kind is the sentinel of the value being built, e.g. ErrInvalidMessage.
	Kind error
	// Field is the JSON name of the offending field, with a path for nested
	// fields ("topics[2]", "members[0].node"); empty when the whole value is bad.
	Field string
	// Reason says what is wrong, for people.
	Reason string
	// Cause is the nested value's own error, if one caused this.
	Cause error
}

func (e *FieldError) Error() string {
	msg := e.Kind.Error()
	if e.Field != "" {
		msg += ": " + e.Field
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns the kind and the cause, so errors.Is finds either.
func (e *FieldError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

func fieldErr(kind error, field, format string, args ...any) error {
	return &FieldError{Kind: kind, Field: field, Reason: fmt.Sprintf(format, args...)}
}

func fieldCause(kind error, field string, cause error) error {
	return &FieldError{Kind: kind, Field: field, Cause: cause}
}
