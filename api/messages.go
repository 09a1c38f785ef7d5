package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections"
)

// postBroadcast: POST /namespaces/:ns/messages/broadcast[?confirm=true].
func (s *Server) postBroadcast(c echo.Context) error {
	return s.sendMessage(c, false, s.backend.Broadcast)
}

// postPrivate: POST /namespaces/:ns/messages/private[?confirm=true].
func (s *Server) postPrivate(c echo.Context) error {
	return s.sendMessage(c, true, s.backend.Private)
}

// sendMessage reads a SendRequest, checks that it has a group exactly when
// the route is private (the two routes exist so that a missing or stray
// group is a client error, not a silent change of audience), and sends it.
func (s *Server) sendMessage(c echo.Context, private bool,
	send func(context.Context, string, messaging.SendRequest) (messaging.MessageView, error),
) error {
	ns, confirm, err := sendParams(c)
	if err != nil {
		return err
	}
	var req messaging.SendRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	switch {
	case private && req.Group == nil:
		return fmt.Errorf("%w: group: a private message needs one", messaging.ErrInvalidInput)
	case !private && req.Group != nil:
		return fmt.Errorf("%w: group: a broadcast goes to every member; send to a group with messages/private",
			messaging.ErrInvalidInput)
	}
	view, err := send(c.Request().Context(), ns, req)
	if err != nil {
		return err
	}
	return s.respondSent(c, ns, confirm, view)
}

// postDatatype: POST /namespaces/:ns/datatypes[?confirm=true].
func (s *Server) postDatatype(c echo.Context) error {
	ns, confirm, err := sendParams(c)
	if err != nil {
		return err
	}
	var req messaging.DatatypeRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	view, err := s.backend.DefineDatatype(c.Request().Context(), ns, req)
	if err != nil {
		return err
	}
	return s.respondSent(c, ns, confirm, view)
}

// sendParams reads the path and query parameters of the sending routes,
// before the body, so that a bad URL costs no body read.
func sendParams(c echo.Context) (ns string, confirm bool, err error) {
	if ns, err = namespaceParam(c); err != nil {
		return "", false, err
	}
	if confirm, err = confirmParam(c); err != nil {
		return "", false, err
	}
	return ns, confirm, nil
}

// respondSent answers 202 with the pending message, or with ?confirm=true
// waits for the decision first (awaitDecision).
func (s *Server) respondSent(c echo.Context, ns string, confirm bool, view messaging.MessageView) error {
	if !confirm {
		return c.JSON(http.StatusAccepted, normalizeView(view))
	}
	return s.awaitDecision(c, ns, view)
}

// awaitDecision answers 200 with the message once it is confirmed or
// rejected (a rejection is still 200: the request was served, and the state
// and reason say how the network decided). If no decision comes within
// ConfirmTimeout, or the server is shutting down, it answers 202 with the
// latest view, still pending, so the caller has the id to poll
// GET /messages/:id with.
func (s *Server) awaitDecision(c echo.Context, ns string, sent messaging.MessageView) error {
	ctx := c.Request().Context()
	id := sent.Header.ID()
	waitCtx, cancel := context.WithTimeout(ctx, s.cfg.ConfirmTimeout)
	defer cancel()
	stopWaiting := context.AfterFunc(s.stopping, cancel)
	defer stopWaiting()

	decided, err := s.backend.AwaitDecision(waitCtx, ns, id)
	switch {
	case err == nil && decided.State != messaging.StatePending:
		return c.JSON(http.StatusOK, normalizeView(decided))
	case err != nil && (waitCtx.Err() == nil || ctx.Err() != nil):
		// A failure of its own, or the client left: not a timeout.
		return err
	}
	latest, err := s.backend.Message(ctx, ns, id)
	if err != nil {
		// The message was recorded; the caller still needs its id.
		s.log.Warn().Err(err).Str("namespace", ns).Stringer("message", id).
			Msg("reading a message after its confirm wait ran out")
		latest = sent
	}
	return c.JSON(http.StatusAccepted, normalizeView(latest))
}

// getMessage: GET /namespaces/:ns/messages/:id. The read model answers
// first; a message it does not have yet (just sent, not projected) comes
// from the Backend, so a client can read its own write at once.
func (s *Server) getMessage(c echo.Context) error {
	ns, err := namespaceParam(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	doc, view, err := s.message(c, ns, id)
	switch {
	case err != nil:
		return err
	case doc != nil:
		return writeDoc(c, doc)
	}
	return c.JSON(http.StatusOK, view)
}

// message finds a message: its read-model document, or else the Backend's
// view of it.
func (s *Server) message(c echo.Context, ns string, id uuid.UUID) (json.RawMessage, messaging.MessageView, error) {
	ctx := c.Request().Context()
	if s.deps.readModel != nil {
		doc, found, err := s.deps.readModel.Get(ctx, projections.MessagesTable, ns, [16]byte(id))
		if err != nil {
			return nil, messaging.MessageView{}, fmt.Errorf("reading message %s: %w", id, err)
		}
		if found {
			return doc, messaging.MessageView{}, nil
		}
	}
	view, err := s.backend.Message(ctx, ns, id)
	if err != nil {
		return nil, messaging.MessageView{}, err
	}
	return nil, normalizeView(view), nil
}

// getMessageData: GET /namespaces/:ns/messages/:id/data, the message's data
// items in the message's order. An item the read model does not have (a
// received message whose data has not arrived) is left out; the message's
// own data list says what it refers to.
func (s *Server) getMessageData(c echo.Context) error {
	ns, err := namespaceParam(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if s.deps.readModel == nil {
		return errNoReadModel
	}
	doc, view, err := s.message(c, ns, id)
	if err != nil {
		return err
	}
	refs := view.Data
	if doc != nil {
		var m struct {
			Data []protocol.DataRef `json:"data"`
		}
		if err := json.Unmarshal(doc, &m); err != nil {
			return fmt.Errorf("message %s: stored document: %w", id, err)
		}
		refs = m.Data
	}
	docs := make([]json.RawMessage, 0, len(refs))
	for _, ref := range refs {
		d, found, err := s.deps.readModel.Get(c.Request().Context(), projections.DataTable, ns, [16]byte(ref.ID))
		if err != nil {
			return fmt.Errorf("reading data item %s: %w", ref.ID, err)
		}
		if found {
			docs = append(docs, d)
		}
	}
	return writeDocs(c, docs, false, 0)
}

// normalizeView gives a view's lists their documented form: [] rather than
// null.
func normalizeView(v messaging.MessageView) messaging.MessageView {
	if v.Data == nil {
		v.Data = []protocol.DataRef{}
	}
	return v
}
