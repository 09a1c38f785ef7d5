package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/leader"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// statusBody is GET /status: the Backend's Status and, when the server has
// a ProjectionLag, where each projector is. Status is embedded so that its
// fields stay at the top level as before (TestStatusProjections would notice
// a MarshalJSON on Status, which would hide Projections).
type statusBody struct {
	messaging.Status
	Projections map[string]ProjectionStatus `json:"projections,omitempty"`
	Cluster     *ClusterStatus              `json:"cluster,omitempty"`
}

// ClusterStatus is this instance of the member and the singleton roles it
// holds or campaigns for (a namespace's pipeline, chain listener and
// aggregator: "namespace/<ns>"; a subscription's outbound delivery:
// "subscription/<ns>/<name>").
type ClusterStatus struct {
	Instance string              `json:"instance"`
	Roles    []leader.RoleStatus `json:"roles"`
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
		st.Namespaces[i] = withMembers(st.Namespaces[i])
	}
	body := statusBody{Status: st}
	if s.deps.projections != nil {
		head := event.Position(st.EventStoreHead)
		body.Projections = map[string]ProjectionStatus{}
		for name, pos := range s.deps.projections.Positions() {
			body.Projections[name] = ProjectionStatus{Position: pos, Behind: behind(head, pos)}
		}
	}
	if l := s.deps.leadership; l != nil {
		body.Cluster = &ClusterStatus{Instance: l.Instance(), Roles: l.Roles()}
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

// getNamespaces: GET /namespaces, the namespaces the node serves (from its
// configuration, so there is nothing to project) with how each is.
func (s *Server) getNamespaces(c echo.Context) error {
	st, err := s.backend.Status(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]messaging.NamespaceStatus, 0, len(st.Namespaces))
	for _, ns := range st.Namespaces {
		out = append(out, withMembers(ns))
	}
	return c.JSON(http.StatusOK, out)
}

// getNamespace: GET /namespaces/:ns, one of them; 404 LM10410 for another.
func (s *Server) getNamespace(c echo.Context) error {
	name, err := namespaceParam(c)
	if err != nil {
		return err
	}
	st, err := s.backend.Status(c.Request().Context())
	if err != nil {
		return err
	}
	for _, ns := range st.Namespaces {
		if ns.Name == name {
			return c.JSON(http.StatusOK, withMembers(ns))
		}
	}
	return fmt.Errorf("%w: this node does not serve namespace %q", messaging.ErrUnknownNamespace, name)
}

// withMembers answers [] rather than null for no members.
func withMembers(ns messaging.NamespaceStatus) messaging.NamespaceStatus {
	if ns.Members == nil {
		ns.Members = []string{}
	}
	return ns
}
