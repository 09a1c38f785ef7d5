package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// Paging of GET /operations.
const (
	defaultOperationsLimit = 25
	maxOperationsLimit     = 1000
	// maxOperationsSkip keeps skip an int on every platform and far beyond
	// any real history, so a silly value is a 400, not an overflow.
	maxOperationsSkip = 1 << 30
)

// getOperations: GET /namespaces/:ns/operations?skip=&limit=, newest first.
func (s *Server) getOperations(c echo.Context) error {
	ns, err := namespaceParam(c)
	if err != nil {
		return err
	}
	skip, err := intQuery(c, "skip", 0, 0, maxOperationsSkip)
	if err != nil {
		return err
	}
	limit, err := intQuery(c, "limit", defaultOperationsLimit, 1, maxOperationsLimit)
	if err != nil {
		return err
	}
	ops, err := s.backend.Operations(c.Request().Context(), ns, skip, limit)
	if err != nil {
		return err
	}
	if ops == nil {
		ops = []messaging.Operation{} // [] rather than null: the answer is a list, maybe empty
	}
	return c.JSON(http.StatusOK, ops)
}

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
	d, err := s.backend.Digests(c.Request().Context(), ns)
	if err != nil {
		return err
	}
	if d.Groups == nil {
		d.Groups = map[string]messaging.NamespaceDigest{} // {} rather than null
	}
	return c.JSON(http.StatusOK, d)
}

// getStatus: GET /status, 200 when the node is ready and 503 (same body)
// when not, so that a readiness probe needs only the status code.
func (s *Server) getStatus(c echo.Context) error {
	st, err := s.backend.Status(c.Request().Context())
	if err != nil {
		return err
	}
	code := http.StatusOK
	if !st.Ready {
		code = http.StatusServiceUnavailable
	}
	return c.JSON(code, st)
}
