package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections"
)

// itemKey reads the key of one row from the path: the value to look the row
// up with (in the Go type of the table's key column) and how to name it in a
// not-found message. A malformed key is ErrInvalidInput.
type itemKey func(c echo.Context) (key any, name string, err error)

// getItem answers GET /namespaces/:ns/<collection>/<key> with the row's
// document, 404 when there is none.
func (s *Server) getItem(t *projections.Table, key itemKey) echo.HandlerFunc {
	return func(c echo.Context) error {
		ns, err := namespaceParam(c)
		if err != nil {
			return err
		}
		k, name, err := key(c)
		if err != nil {
			return err
		}
		doc, err := s.lookup(c, t, ns, k, name)
		if err != nil {
			return err
		}
		return writeDoc(c, doc)
	}
}

// lookup reads one row's document from the read model; no row is
// ErrNotFound.
func (s *Server) lookup(c echo.Context, t *projections.Table, ns string, key any, name string) (json.RawMessage, error) {
	if s.deps.readModel == nil {
		return nil, errNoReadModel
	}
	doc, found, err := s.deps.readModel.Get(c.Request().Context(), t, ns, key)
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading %s %s: %w", t.Name(), name, err)
	case !found:
		return nil, fmt.Errorf("%w: %s %s in namespace %s", messaging.ErrNotFound, singular(t), name, ns)
	}
	return doc, nil
}

// singular names one row of t in messages.
func singular(t *projections.Table) string {
	if name, ok := rowNames[t]; ok {
		return name
	}
	return t.Name()
}

var rowNames = map[*projections.Table]string{
	projections.MessagesTable:     "message",
	projections.DataTable:         "data item",
	projections.BatchesTable:      "batch",
	projections.PinsTable:         "pin",
	projections.GroupsTable:       "group",
	projections.IdentitiesTable:   "identity",
	projections.DatatypesTable:    "datatype",
	projections.TransactionsTable: "transaction",
	projections.OperationsTable:   "operation",
	projections.ChainEventsTable:  "chain event",
	projections.EventsTable:       "event",
}

// sequenceKey reads an event's sequence (a positive integer) as the int64
// its column holds.
func sequenceKey(c echo.Context) (any, string, error) {
	raw, err := pathParam(c, "sequence")
	if err != nil {
		return nil, "", err
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 1 {
		return nil, "", fmt.Errorf("%w: sequence %q: must be a positive integer", messaging.ErrInvalidInput, truncate(raw))
	}
	return n, raw, nil
}

// uuidKey reads a UUID path parameter as the [16]byte a UUID column holds.
func uuidKey(param string) itemKey {
	return func(c echo.Context) (any, string, error) {
		id, err := idParam(c, param)
		if err != nil {
			return nil, "", err
		}
		return [16]byte(id), id.String(), nil
	}
}

// hashKey reads a hash path parameter (64 hex digits, either case) as the
// [32]byte a hash column holds.
func hashKey(param string) itemKey {
	return func(c echo.Context) (any, string, error) {
		raw, err := pathParam(c, param)
		if err != nil {
			return nil, "", err
		}
		h, err := protocol.ParseHash(strings.ToLower(raw))
		if err != nil {
			return nil, "", fmt.Errorf("%w: %s: %w", messaging.ErrInvalidInput, param, err)
		}
		return [32]byte(h), h.String(), nil
	}
}

// didKey reads an org or node DID. A DID holds '/', so a client escapes it
// as %2F in the path (did:lm:node%2Forg1%2Fnode1).
func didKey(c echo.Context) (any, string, error) {
	did, err := pathParam(c, "did")
	if err != nil {
		return nil, "", err
	}
	_, orgErr := protocol.ParseOrgDID(did)
	_, nodeErr := protocol.ParseNodeDID(did)
	if orgErr != nil && nodeErr != nil {
		return nil, "", fmt.Errorf("%w: did %q is neither did:lm:org/<org> nor did:lm:node/<org>/<node> (escape '/' as %%2F)",
			messaging.ErrInvalidInput, truncate(did))
	}
	return did, did, nil
}

// datatypeKey reads :name/:version as the datatypes table's key,
// "<name>/<version>".
func datatypeKey(c echo.Context) (any, string, error) {
	var parts [2]string
	for i, param := range []string{"name", "version"} {
		v, err := pathParam(c, param)
		if err != nil {
			return nil, "", err
		}
		if err := protocol.ValidateName(v); err != nil {
			return nil, "", fmt.Errorf("%w: %s: %w", messaging.ErrInvalidInput, param, err)
		}
		parts[i] = v
	}
	ref := parts[0] + "/" + parts[1]
	return ref, ref, nil
}

// maxRefLength bounds a chain event reference; the projector's are 42
// characters (block.tx.log, zero-padded).
const maxRefLength = 128

// refKey reads a chain reference: digits and dots, as the projector writes
// them (00000000000000000042.0000000003.0000000001).
func refKey(param string) itemKey {
	return func(c echo.Context) (any, string, error) {
		ref, err := pathParam(c, param)
		if err != nil {
			return nil, "", err
		}
		if ref == "" || len(ref) > maxRefLength || strings.Trim(ref, "0123456789.") != "" {
			return nil, "", fmt.Errorf("%w: %s %q: must be digits and dots, as in the chain event's ref",
				messaging.ErrInvalidInput, param, truncate(ref))
		}
		return ref, ref, nil
	}
}

// pathParam returns a path parameter unescaped. Echo routes on the escaped
// path when the request has one (so that %2F stays inside a parameter) and
// then hands the parameter over still escaped.
func pathParam(c echo.Context, name string) (string, error) {
	raw := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return raw, nil
	}
	v, err := url.PathUnescape(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %s %q: %w", messaging.ErrInvalidInput, name, truncate(raw), err)
	}
	return v, nil
}
