package query

import (
	"errors"
	"fmt"
)

// ErrInvalid is matched (errors.Is) by every *Error: the request's query
// string is at fault, which the API answers with 400.
var ErrInvalid = errors.New("invalid query")

// Error explains why a query parameter was refused.
type Error struct {
	// Field is the query parameter at fault: a field name, or one of sort,
	// skip, limit and count.
	Field string
	// Reason quotes the offending value and says what is wrong with it.
	Reason string
}

func (e *Error) Error() string {
	if reserved(e.Field) {
		return fmt.Sprintf("parameter %q: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("filter %q: %s", e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) hold for every *Error.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func invalid(param, format string, args ...any) *Error {
	return &Error{Field: param, Reason: fmt.Sprintf(format, args...)}
}
