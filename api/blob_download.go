package api

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections"
)

// errNoBlobs answers GET /data/:id/blob on a server built without WithBlobs.
var errNoBlobs = fmt.Errorf("%w: this server has no blob store", messaging.ErrNotReady)

// getBlob: GET /namespaces/:ns/data/:id/blob streams the data item's blob,
// as application/octet-stream with its length and its file name (the
// blob's hash when it has none) in Content-Disposition. 404 when the item
// is unknown, has no blob, or the blob has not arrived.
func (s *Server) getBlob(c echo.Context) error {
	ns, err := namespaceParam(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	doc, err := s.lookup(c, projections.DataTable, ns, [16]byte(id), id.String())
	if err != nil {
		return err
	}
	var item struct {
		Blob *protocol.BlobRef `json:"blob"`
	}
	if err := json.Unmarshal(doc, &item); err != nil {
		return fmt.Errorf("data item %s: stored document: %w", id, err)
	}
	if item.Blob == nil {
		return fmt.Errorf("%w: data item %s has no blob", messaging.ErrNotFound, id)
	}
	if s.deps.blobs == nil {
		return errNoBlobs
	}
	ref := *item.Blob
	r, size, err := s.deps.blobs.OpenBlob(c.Request().Context(), ns, ref.Hash())
	if err != nil {
		return fmt.Errorf("blob %s of data item %s: %w", ref.Hash(), id, err)
	}
	defer func() { _ = r.Close() }()

	name := ref.Name()
	if name == "" {
		name = ref.Hash().String()
	}
	h := c.Response().Header()
	// FormatMediaType quotes the name and switches to RFC 2231's filename*
	// for one that is not plain ASCII; it gives "" for a name it cannot
	// write, and then the client picks a name itself.
	if disposition := mime.FormatMediaType("attachment", map[string]string{"filename": name}); disposition != "" {
		h.Set(echo.HeaderContentDisposition, disposition)
	} else {
		h.Set(echo.HeaderContentDisposition, "attachment")
	}
	if size >= 0 {
		h.Set(echo.HeaderContentLength, strconv.FormatInt(size, 10))
	}
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	return c.Stream(http.StatusOK, echo.MIMEOctetStream, r)
}
