package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/audit"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// Exporter writes audit exports of the node's event store.
type Exporter interface {
	// Export writes the export of the namespace (empty: every event) and
	// the positions from..to (0: from the first, to the head) to w, with
	// the manifest signed by the node's key when sign is set.
	Export(ctx context.Context, namespace string, from, to uint64, sign bool, w io.Writer) (audit.Manifest, error)
}

// WithExport serves GET /admin/export. Without it the route answers 503.
func WithExport(e Exporter) Option { return func(d *deps) { d.exporter = e } }

var errNoExport = fmt.Errorf("%w: this server cannot export", messaging.ErrNotReady)

// exportParams are GET /admin/export's query parameters.
type exportParams struct {
	namespace string
	from, to  uint64
	sign      bool
}

// getExport: GET /admin/export[?namespace=NS&from=POS&to=POS&sign=true]
// streams an audit export (domain/audit) as NDJSON. Errors found before
// the first byte are 4xx/5xx answers; one after it (the store failing)
// ends the response early, which leaves a file that fails verification
// ("ends without its manifest").
func (s *Server) getExport(c echo.Context) error {
	p, err := parseExportParams(c.Request().URL.RawQuery)
	if err != nil {
		return err
	}
	if s.deps.exporter == nil {
		return errNoExport
	}
	if p.namespace != "" && !s.serves(p.namespace) {
		return fmt.Errorf("%w: this node does not serve namespace %q", messaging.ErrUnknownNamespace, p.namespace)
	}
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "application/x-ndjson")
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="ledgermirror-export.ndjson"`)
	res.WriteHeader(http.StatusOK)
	m, err := s.deps.exporter.Export(c.Request().Context(), p.namespace, p.from, p.to, p.sign, res)
	if err != nil {
		s.log.Error().Err(err).Msg("audit export failed after it started: the client has an incomplete file")
		return nil
	}
	s.log.Info().Uint64("events", m.Events).Uint64("first", m.First).Uint64("last", m.Last).Bool("signed", m.Signature != "").
		Msg("audit export written")
	return nil
}

// serves reports whether the node serves ns (every namespace when the
// backend cannot say).
func (s *Server) serves(ns string) bool {
	b, ok := s.backend.(namespaceServer)
	return !ok || b.Serves(ns)
}

func parseExportParams(rawQuery string) (exportParams, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return exportParams{}, fmt.Errorf("%w: query string: %w", messaging.ErrInvalidInput, err)
	}
	var p exportParams
	for name, v := range values {
		if len(v) > 1 {
			return exportParams{}, fmt.Errorf("%w: %s given %d times", messaging.ErrInvalidInput, truncate(name), len(v))
		}
		switch name {
		case "namespace":
			p.namespace = v[0]
		case "from", "to":
			n, err := strconv.ParseUint(v[0], 10, 64)
			if err != nil {
				return exportParams{}, fmt.Errorf("%w: %s %q is not a position", messaging.ErrInvalidInput, name, truncate(v[0]))
			}
			if name == "from" {
				p.from = n
			} else {
				p.to = n
			}
		case "sign":
			b, err := strconv.ParseBool(v[0])
			if err != nil {
				return exportParams{}, fmt.Errorf("%w: sign %q is not true or false", messaging.ErrInvalidInput, truncate(v[0]))
			}
			p.sign = b
		default:
			return exportParams{}, fmt.Errorf("%w: unknown query parameter %q (namespace, from, to, sign)", messaging.ErrInvalidInput, truncate(name))
		}
	}
	if p.to != 0 && p.to < p.from {
		return exportParams{}, fmt.Errorf("%w: to %d is before from %d", messaging.ErrInvalidInput, p.to, p.from)
	}
	return p, nil
}
