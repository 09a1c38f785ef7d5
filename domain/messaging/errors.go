package messaging

import "errors"

// The errors the node's use cases return; the API maps each to one HTTP
// status and a stable code (api/errors.go). They are wrapped with the detail
// a caller needs ("data[1].value: ...").
var (
	// ErrInvalidInput: the request is malformed or breaks a rule (400).
	ErrInvalidInput = errors.New("invalid input")
	// ErrNotFound: no such message, data, operation or blob (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request clashes with what exists, e.g. a blob
	// uploaded to data that already has one, or a message id reused (409).
	ErrConflict = errors.New("conflict")
	// ErrUnknownNamespace: the node does not serve the namespace (404).
	ErrUnknownNamespace = errors.New("unknown namespace")
	// ErrNotReady: the node cannot send yet, because its own org is not
	// confirmed in the namespace, or it is still starting (503).
	ErrNotReady = errors.New("not ready")
	// ErrTooLarge: a body or blob is over the configured limit (413).
	ErrTooLarge = errors.New("too large")
)
