package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// storeDataBody is the body of POST /data. It is DataInput without the id:
// here the node assigns it, and a client-chosen id would be an unknown
// field the strict reader refuses rather than silently ignores.
type storeDataBody struct {
	Value    json.RawMessage          `json:"value"`
	Datatype *messaging.DatatypeInput `json:"datatype,omitempty"`
}

// postData: POST /namespaces/:ns/data → 201 with the stored data item.
func (s *Server) postData(c echo.Context) error {
	ns, err := namespaceParam(c)
	if err != nil {
		return err
	}
	var body storeDataBody
	if err := s.decodeJSON(c, &body); err != nil {
		return err
	}
	data, err := s.backend.StoreData(c.Request().Context(), ns,
		messaging.DataInput{Value: body.Value, Datatype: body.Datatype})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, data)
}
