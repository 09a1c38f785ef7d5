package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// statusBody is GET /status: the Backend's Status and, when the server has
// a ProjectionLag, where each projector is. Status is embedded so that its
// fields stay at the top level as before (TestStatusProjections would notice
// a MarshalJSON on Status, which would hide Projections).
type statusBody struct {
	messaging.Status
	Projections map[string]ProjectionStatus `json:"projections,omitempty"`
}

// ProjectionStatus is one projector in GET /status.
type ProjectionStatus struct {
	// Position is the last event the projector applied.
	Position event.Position `json:"position"`
	// Behind is how many positions the event store's head is ahead of it.
	Behind uint64 `json:"behind"`
}

// getStatus: GET /status, 200 when the node is ready and 503 (same body)
// when not, so that a readiness probe needs only the status code.
func (s *Server) getStatus(c echo.Context) error {
	st, err := s.backend.Status(c.Request().Context())
	if err != nil {
		return err
	}
	if st.Namespaces == nil {
		st.Namespaces = []messaging.NamespaceStatus{} // [] rather than null
	}
	for i := range st.Namespaces {
		if st.Namespaces[i].Members == nil {
			st.Namespaces[i].Members = []string{}
		}
	}
	body := statusBody{Status: st}
	if s.deps.projections != nil {
		head := event.Position(st.EventStoreHead)
		body.Projections = map[string]ProjectionStatus{}
		for name, pos := range s.deps.projections.Positions() {
			body.Projections[name] = ProjectionStatus{Position: pos, Behind: behind(head, pos)}
		}
	}
	code := http.StatusOK
	if !st.Ready {
		code = http.StatusServiceUnavailable
	}
	return c.JSON(code, body)
}

// behind is head-pos, or 0 when pos is ahead: the head may have been read
// before the projector applied the latest events.
func behind(head, pos event.Position) uint64 {
	if pos >= head {
		return 0
	}
	return uint64(head - pos)
}
