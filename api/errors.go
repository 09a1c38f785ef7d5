package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// The stable error codes, one per class of error. Clients branch on these,
// never on the message text, so a code never changes meaning.
//
//	code     status  when
//	LM10400  400     invalid input: messaging.ErrInvalidInput, malformed JSON,
//	                 unknown field, trailing data, bad path or query parameter,
//	                 a filter query.Parse refuses (query.ErrInvalid)
//	LM10404  404     not found: messaging.ErrNotFound, or no such route
//	LM10405  405     the route exists but not for this method
//	LM10409  409     conflict: messaging.ErrConflict
//	LM10410  404     unknown namespace: messaging.ErrUnknownNamespace
//	LM10413  413     too large: messaging.ErrTooLarge, a body or blob over the limit
//	LM10415  415     unsupported media type: a JSON route without
//	                 Content-Type application/json, a blob upload that is not
//	                 multipart/form-data
//	LM10500  500     internal error (details are logged, never sent)
//	LM10502  502     an outbound delivery the request made (a dead letter's
//	                 redrive) failed: subscription.ErrDeliveryFailed
//	LM10503  503     not ready: messaging.ErrNotReady
//	LM10507  503     the node's storage cannot write now (a full or read-only
//	                 disk): event.ErrStorageUnavailable; nothing was recorded,
//	                 the same request may succeed once the cause is fixed
//
// Any other 4xx an Echo middleware raises gets LM10 and its status.
const (
	CodeInvalidInput         = "LM10400"
	CodeNotFound             = "LM10404"
	CodeMethodNotAllowed     = "LM10405"
	CodeConflict             = "LM10409"
	CodeUnknownNamespace     = "LM10410"
	CodeTooLarge             = "LM10413"
	CodeUnsupportedMediaType = "LM10415"
	CodeInternal             = "LM10500"
	CodeDeliveryFailed       = "LM10502"
	CodeNotReady             = "LM10503"
	CodeStorageUnavailable   = "LM10507"
)

// storageMessage is what a client learns of a storage failure: the cause
// (a path, an SQLite code) is logged, not sent.
const storageMessage = "the node cannot write to its storage now (a full or read-only disk, or a failing one); " +
	"nothing was recorded: retry once its operator has fixed the cause"

// ErrorResponse is the body of every error answer.
type ErrorResponse struct {
	Code    string `json:"error"`
	Message string `json:"message"`
}

// errUnsupportedMediaType: the request body is not of the type the route
// reads (415).
var errUnsupportedMediaType = errors.New("unsupported media type")

// internalMessage is all a client learns of a 500: the cause may name files,
// hosts or SQL, which are the operator's business.
const internalMessage = "internal error"

// handleError is Echo's HTTPErrorHandler: every error a handler or middleware
// returns is answered here, in the ErrorResponse shape.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		// The status line is already out (a failure while streaming the
		// answer); all that can be done is to say so in the log.
		s.log.Warn().Err(err).Str("path", c.Request().URL.Path).Msg("error after the response started")
		return
	}
	status, body := describe(err, c.Request())
	if status == http.StatusInternalServerError || body.Code == CodeStorageUnavailable {
		s.logInternal(err, c.Request())
	}
	var writeErr error
	if c.Request().Method == http.MethodHead {
		writeErr = c.NoContent(status)
	} else {
		writeErr = c.JSON(status, body)
	}
	if writeErr != nil {
		s.log.Debug().Err(writeErr).Msg("writing error response")
	}
}

// describe maps err to its status and body. A Backend error wrapping several
// sentinels gets the first class in this order: unknown namespace, invalid
// input, not found, conflict, too large, not ready.
func describe(err error, req *http.Request) (int, ErrorResponse) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return describeHTTPError(he, req)
	}
	var maxBytes *http.MaxBytesError
	switch {
	case errors.Is(err, messaging.ErrUnknownNamespace):
		return http.StatusNotFound, ErrorResponse{CodeUnknownNamespace, err.Error()}
	case errors.Is(err, messaging.ErrInvalidInput), errors.Is(err, query.ErrInvalid):
		return http.StatusBadRequest, ErrorResponse{CodeInvalidInput, err.Error()}
	case errors.Is(err, messaging.ErrNotFound):
		return http.StatusNotFound, ErrorResponse{CodeNotFound, err.Error()}
	case errors.Is(err, messaging.ErrConflict):
		return http.StatusConflict, ErrorResponse{CodeConflict, err.Error()}
	case errors.Is(err, messaging.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, ErrorResponse{CodeTooLarge, err.Error()}
	case errors.As(err, &maxBytes):
		return http.StatusRequestEntityTooLarge, ErrorResponse{CodeTooLarge,
			fmt.Sprintf("request body is larger than %d bytes", maxBytes.Limit)}
	case errors.Is(err, errUnsupportedMediaType):
		return http.StatusUnsupportedMediaType, ErrorResponse{CodeUnsupportedMediaType, err.Error()}
	case errors.Is(err, messaging.ErrNotReady):
		return http.StatusServiceUnavailable, ErrorResponse{CodeNotReady, err.Error()}
	case errors.Is(err, subscription.ErrDeliveryFailed):
		return http.StatusBadGateway, ErrorResponse{CodeDeliveryFailed, err.Error()}
	case errors.Is(err, event.ErrStorageUnavailable):
		return http.StatusServiceUnavailable, ErrorResponse{CodeStorageUnavailable, storageMessage}
	}
	return http.StatusInternalServerError, ErrorResponse{CodeInternal, internalMessage}
}

// describeHTTPError maps the errors Echo itself raises: 404 for no route,
// 405 for a route without this method, and whatever a middleware returns.
func describeHTTPError(he *echo.HTTPError, req *http.Request) (int, ErrorResponse) {
	var inner *echo.HTTPError
	if errors.As(he.Internal, &inner) {
		he = inner
	}
	switch status := he.Code; {
	case status == http.StatusNotFound:
		return status, ErrorResponse{CodeNotFound, "no route for " + req.Method + " " + req.URL.Path}
	case status == http.StatusMethodNotAllowed:
		return status, ErrorResponse{CodeMethodNotAllowed, req.Method + " is not allowed on " + req.URL.Path}
	case status == http.StatusServiceUnavailable:
		return status, ErrorResponse{CodeNotReady, fmt.Sprint(he.Message)}
	case status >= 400 && status < 500:
		return status, ErrorResponse{fmt.Sprintf("LM10%03d", status), fmt.Sprint(he.Message)}
	}
	return http.StatusInternalServerError, ErrorResponse{CodeInternal, internalMessage}
}

// logInternal records what a 500 hides from the client.
func (s *Server) logInternal(err error, req *http.Request) {
	if errors.Is(err, context.Canceled) && req.Context().Err() != nil {
		// The client left; the failure is its going, not the node's.
		s.log.Debug().Err(err).Str("path", req.URL.Path).Msg("request abandoned by the client")
		return
	}
	ev := s.log.Error().Err(err).Str("method", req.Method).Str("path", req.URL.Path)
	var p *errPanic
	if errors.As(err, &p) {
		ev = ev.Bytes("stack", p.stack)
	}
	ev.Msg("internal error")
}
