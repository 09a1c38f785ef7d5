package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// postRetry: POST /namespaces/:ns/operations/:id/retry → 202, the retry
// being scheduled, not done.
func (s *Server) postRetry(c echo.Context) error {
	ns, err := namespaceParam(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	op, err := s.backend.RetryOperation(c.Request().Context(), ns, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, op)
}

// getDigests: GET /namespaces/:ns/digests.
func (s *Server) getDigests(c echo.Context) error {
	ns, err := namespaceParam(c)
	if err != nil {
		return err
	}
	withContexts := false
	switch v := c.QueryParam("contexts"); v {
	case "", "false":
	case "true":
		withContexts = true
	default:
		return fmt.Errorf("%w: contexts %q is not true or false", messaging.ErrInvalidInput, truncate(v))
	}
	d, err := s.backend.Digests(c.Request().Context(), ns, withContexts)
	if err != nil {
		return err
	}
	if d.Groups == nil {
		d.Groups = map[string]messaging.NamespaceDigest{} // {} rather than null
	}
	return c.JSON(http.StatusOK, d)
}
