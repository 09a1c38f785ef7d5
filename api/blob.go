package api

import (
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// multipartOverhead is how far a blob upload's whole body may exceed
// MaxBlobBytes: room for the boundaries and part headers, and for small
// form fields a client sends before the file.
const multipartOverhead = 64 << 10

// blobFormField is the multipart part that carries the file.
const blobFormField = "file"

// postBlob: POST /namespaces/:ns/data/:id/blob, multipart/form-data with a
// "file" part → 200 with the data item and its blob reference.
//
// The file is streamed from the request to Backend.UploadBlob, never held
// in memory or spooled to disk here: a 1 GiB upload costs a buffer, not a
// gigabyte. Parts before "file" are skipped; parts after it are not read.
func (s *Server) postBlob(c echo.Context) error {
	ns, err := namespaceParam(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	req := c.Request()
	if err := requireMediaType(req, echo.MIMEMultipartForm); err != nil {
		return err
	}
	limit := s.cfg.MaxBlobBytes + multipartOverhead
	if limit < 0 { // MaxBlobBytes near MaxInt64: no whole-body bound beyond the file's own
		limit = math.MaxInt64
	}
	if req.ContentLength > limit {
		return fmt.Errorf("%w: the upload is larger than %d bytes", messaging.ErrTooLarge, s.cfg.MaxBlobBytes)
	}
	req.Body = http.MaxBytesReader(c.Response().Writer, req.Body, limit)
	mr, err := req.MultipartReader()
	if err != nil {
		return multipartError(err)
	}
	part, err := filePart(mr)
	if err != nil {
		return err
	}
	defer func() { _ = part.Close() }()

	file := &cappedReader{r: part, left: s.cfg.MaxBlobBytes, limit: s.cfg.MaxBlobBytes}
	data, err := s.backend.UploadBlob(req.Context(), ns, id, part.FileName(), file)
	// What went wrong with the upload itself decides the answer, whatever the
	// Backend made of the read error it got (it may not wrap it).
	switch {
	case file.exceeded:
		return file.tooLarge()
	case file.err != nil:
		return multipartError(file.err)
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, data)
}

// filePart returns the first part named "file".
func filePart(mr *multipart.Reader) (*multipart.Part, error) {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: multipart body has no %q part", messaging.ErrInvalidInput, blobFormField)
		}
		if err != nil {
			return nil, multipartError(err)
		}
		if part.FormName() == blobFormField {
			return part, nil
		}
	}
}

// multipartError classifies a failure to read a multipart body: over the
// body limit is 413, anything else is the client's malformed body.
func multipartError(err error) error {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return fmt.Errorf("%w: the upload is larger than %d bytes", messaging.ErrTooLarge, maxBytes.Limit)
	}
	if errors.Is(err, http.ErrNotMultipart) {
		return fmt.Errorf("%w: %w", errUnsupportedMediaType, err)
	}
	return fmt.Errorf("%w: multipart body: %w", messaging.ErrInvalidInput, err)
}

// cappedReader passes on at most limit bytes of r and notices a byte more,
// so that an oversized file fails the upload instead of being cut short and
// stored as if complete. It remembers the first read error other than
// io.EOF, so that postBlob can answer for it whatever the Backend returns.
type cappedReader struct {
	r        io.Reader
	left     int64
	limit    int64
	exceeded bool
	err      error
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.exceeded {
		return 0, c.tooLarge()
	}
	if c.left <= 0 {
		var probe [1]byte
		n, err := c.r.Read(probe[:])
		if n > 0 {
			c.exceeded = true
			return 0, c.tooLarge()
		}
		return 0, c.note(err)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, c.note(err)
}

func (c *cappedReader) note(err error) error {
	if err != nil && !errors.Is(err, io.EOF) && c.err == nil {
		c.err = err
	}
	return err
}

func (c *cappedReader) tooLarge() error {
	return fmt.Errorf("%w: the file is larger than %d bytes", messaging.ErrTooLarge, c.limit)
}
