package canonicaljson

import (
	"errors"
	"fmt"
)

// ErrInvalidJSON is wrapped by every error about input that is not JSON JCS can
// canonicalise. Use errors.Is to test for it and errors.As with *SyntaxError for
// the position and reason.
var ErrInvalidJSON = errors.New("invalid JSON for canonicalization")

// SyntaxError says where and why input was rejected.
type SyntaxError struct {
	// Offset is the byte offset in the input at which the problem was found.
	Offset int
	// Reason is a short, human-readable description ("duplicate key \"a\"").
	Reason string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s: %s at offset %d", ErrInvalidJSON, e.Reason, e.Offset)
}

// Unwrap lets errors.Is(err, ErrInvalidJSON) succeed.
func (e *SyntaxError) Unwrap() error { return ErrInvalidJSON }
