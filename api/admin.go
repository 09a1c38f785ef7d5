package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// Rebuilds starts and reports rebuilds of the node's read model
// (generation.Set implements it).
type Rebuilds interface {
	// Start starts a rebuild beside the serving read model and returns its
	// status without waiting for it. projection names the projector asked
	// for ("" for all). It fails with an error wrapping
	// generation.ErrRunning while a rebuild runs (and returns that one's
	// status), generation.ErrUnknownProjection for a name the node does
	// not have, generation.ErrNotRunning when the projections are stopped.
	Start(projection string) (generation.Status, error)
	// Status returns the current or last rebuild's status. It is cheap.
	Status() generation.Status
}

// errNoRebuilds: the server was built without WithRebuild.
var errNoRebuilds = fmt.Errorf("%w: this server cannot rebuild the read model", messaging.ErrNotReady)

// postRebuild: POST /admin/rebuild[?projection=NAME] starts a rebuild and
// answers 202 with its status; 409 (LM10409) while one runs.
func (s *Server) postRebuild(c echo.Context) error {
	projection, err := rebuildParams(c.Request().URL.RawQuery)
	if err != nil {
		return err
	}
	if s.deps.rebuilds == nil {
		return errNoRebuilds
	}
	st, err := s.deps.rebuilds.Start(projection)
	switch {
	case errors.Is(err, generation.ErrRunning):
		return fmt.Errorf("%w: %w (generation %d is %s at position %d of %d)", messaging.ErrConflict, err,
			st.Generation, st.State, st.Position, st.Head)
	case errors.Is(err, generation.ErrUnknownProjection):
		return fmt.Errorf("%w: %w", messaging.ErrInvalidInput, err)
	case errors.Is(err, generation.ErrNotRunning):
		return fmt.Errorf("%w: %w", messaging.ErrNotReady, err)
	case err != nil:
		return fmt.Errorf("starting a rebuild: %w", err)
	}
	s.log.Info().Uint64("generation", st.Generation).Str("projection", projection).Msg("rebuild requested")
	return c.JSON(http.StatusAccepted, st)
}

// getRebuild: GET /admin/rebuild answers the current or last rebuild's
// status.
func (s *Server) getRebuild(c echo.Context) error {
	if s.deps.rebuilds == nil {
		return errNoRebuilds
	}
	return c.JSON(http.StatusOK, s.deps.rebuilds.Status())
}

// rebuildParams reads POST /admin/rebuild's query string: at most one
// projection; any other parameter is a 400 rather than silently ignored.
func rebuildParams(rawQuery string) (string, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", fmt.Errorf("%w: query string: %w", messaging.ErrInvalidInput, err)
	}
	for name, v := range values {
		switch {
		case name != "projection":
			return "", fmt.Errorf("%w: unknown query parameter %q (the only one is projection)", messaging.ErrInvalidInput, truncate(name))
		case len(v) > 1:
			return "", fmt.Errorf("%w: projection given %d times; a rebuild takes one projection, or none for all", messaging.ErrInvalidInput, len(v))
		case v[0] == "":
			return "", fmt.Errorf("%w: projection is empty; leave it out to rebuild all", messaging.ErrInvalidInput)
		}
	}
	return values.Get("projection"), nil
}
