package api

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// decodeJSON reads the request body into v under the API's strict rules:
// Content-Type application/json (415 otherwise), at most MaxBodyBytes (413),
// exactly one JSON value with no unknown fields (400).
func (s *Server) decodeJSON(c echo.Context, v any) error {
	req := c.Request()
	if err := requireMediaType(req, echo.MIMEApplicationJSON); err != nil {
		return err
	}
	if req.ContentLength > s.cfg.MaxBodyBytes {
		return fmt.Errorf("%w: request body is larger than %d bytes", messaging.ErrTooLarge, s.cfg.MaxBodyBytes)
	}
	// The raw writer, not Echo's wrapper, so that net/http can close the
	// connection instead of reading the rest of an oversized body.
	body := http.MaxBytesReader(c.Response().Writer, req.Body, s.cfg.MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return bodyError(err)
		}
		return fmt.Errorf("%w: request body: data after the JSON value", messaging.ErrInvalidInput)
	}
	return nil
}

// bodyError says what is wrong with a JSON body in the client's terms.
func bodyError(err error) error {
	var (
		maxBytes  *http.MaxBytesError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxBytes):
		return fmt.Errorf("%w: request body is larger than %d bytes", messaging.ErrTooLarge, maxBytes.Limit)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w: request body is empty", messaging.ErrInvalidInput)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: request body: JSON ends too early", messaging.ErrInvalidInput)
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("%w: request body: malformed JSON at byte %d: %s",
			messaging.ErrInvalidInput, syntaxErr.Offset, strings.TrimPrefix(syntaxErr.Error(), "json: "))
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return fmt.Errorf("%w: request body: %s: expected %s, got a JSON %s",
			messaging.ErrInvalidInput, field, jsonKind(typeErr.Type), typeErr.Value)
	}
	// Unknown fields, and the errors of the types' own parsers (a bad UUID).
	return fmt.Errorf("%w: request body: %s", messaging.ErrInvalidInput, strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names what JSON a Go type reads, in the client's terms rather
// than the Go type's name.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a string" // ids, hashes
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another value"
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// requireMediaType checks the Content-Type's media type, ignoring its
// parameters (charset, boundary).
func requireMediaType(req *http.Request, want string) error {
	header := req.Header.Get(echo.HeaderContentType)
	got, _, err := mime.ParseMediaType(header)
	if err != nil || got != want {
		return fmt.Errorf("%w: Content-Type %q: this route reads %s",
			errUnsupportedMediaType, truncate(header), want)
	}
	return nil
}

// namespaceParam returns the :ns path parameter. A name that breaks the
// protocol's name rule cannot be a namespace the node serves, so it is bad
// input (400) rather than an unknown namespace (404).
func namespaceParam(c echo.Context) (string, error) {
	ns := c.Param("ns")
	if err := protocol.ValidateNamespace(ns); err != nil {
		return "", fmt.Errorf("%w: namespace: %w", messaging.ErrInvalidInput, err)
	}
	return ns, nil
}

// idParam returns a UUID path parameter. Only the canonical 36-character
// form is accepted, so that an id has one spelling in URLs as in JSON.
func idParam(c echo.Context, name string) (uuid.UUID, error) {
	raw := c.Param(name)
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 || id == uuid.Nil {
		return uuid.Nil, fmt.Errorf("%w: %s %q is not a UUID", messaging.ErrInvalidInput, name, truncate(raw))
	}
	return id, nil
}

// confirmParam reads ?confirm=; absent is false.
func confirmParam(c echo.Context) (bool, error) {
	raw := c.QueryParam("confirm")
	if raw == "" {
		return false, nil
	}
	confirm, err := strconv.ParseBool(raw)
	if err != nil {
		return false, fmt.Errorf("%w: confirm %q: must be true or false", messaging.ErrInvalidInput, truncate(raw))
	}
	return confirm, nil
}

// truncate keeps echoed client input short in error messages.
func truncate(s string) string {
	const limit = 80
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
