package http

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/adapters/sharedstorage/local"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Server is the data exchange's http.Handler (routes in the package doc).
// It delivers what authenticated peers send to its inbox and serves the
// local shared storage, if it has one.
type Server struct {
	cfg     ServerConfig
	self    protocol.NodeDID
	inbox   messaging.Inbox
	storage *local.SharedStorage
	log     zerolog.Logger
	mux     *http.ServeMux
	now     func() time.Time
}

// NewServer returns the handler for the node cfg.Node. storage may be nil
// (the node uses another shared storage): GET /dx/v1/storage then answers
// 404. SetDefaults is applied to a copy of cfg.
func NewServer(cfg ServerConfig, inbox messaging.Inbox, storage *local.SharedStorage, log zerolog.Logger) (*Server, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("data-exchange server config: %w", err)
	}
	if inbox == nil {
		return nil, errors.New("data-exchange server: no inbox")
	}
	self, _ := protocol.ParseNodeDID(cfg.Node) // validated
	s := &Server{cfg: cfg, self: self, inbox: inbox, storage: storage, log: log, mux: http.NewServeMux(), now: time.Now}
	s.mux.HandleFunc("POST "+batchesPath, s.receiveBatch)
	s.mux.HandleFunc("PUT "+blobsPath+"{ns}/{hash}", s.receiveBlob)
	s.mux.HandleFunc("GET "+storagePath+"{hash}", s.serveStorage)
	s.mux.HandleFunc("GET "+healthPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// HTTPServer returns an http.Server for s on addr, with a header timeout
// (ServerConfig.ReadHeaderTimeout) and no body timeout: a blob takes as long
// as it takes, and a stalled sender is the sender's to give up.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		IdleTimeout:       2 * time.Minute,
	}
}

func (s *Server) receiveBatch(w http.ResponseWriter, r *http.Request) {
	cred, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	if r.ContentLength > s.cfg.MaxBatchBytes {
		s.tooLarge(w, r, cred.sender, s.cfg.MaxBatchBytes)
		return
	}
	body, err := readBody(http.MaxBytesReader(w, r.Body, s.cfg.MaxBatchBytes), r.ContentLength)
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			s.tooLarge(w, r, cred.sender, s.cfg.MaxBatchBytes)
			return
		}
		s.log.Warn().Str("sender", cred.sender.String()).Str("remote", r.RemoteAddr).Err(err).Msg("reading a batch failed")
		writeError(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	if sha256.Sum256(body) != cred.content {
		s.refuse(w, r, cred.sender.String(), "the body does not hash to "+HeaderContentSHA256)
		return
	}
	env, err := decodeEnvelope(body)
	if err != nil {
		s.log.Warn().Str("sender", cred.sender.String()).Str("remote", r.RemoteAddr).Err(err).Msg("malformed envelope")
		writeError(w, http.StatusBadRequest, "envelope: "+err.Error())
		return
	}
	if err := s.inbox.ReceiveBatch(r.Context(), cred.sender, env); err != nil {
		s.inboxFailed(w, r, cred.sender, "batch", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) receiveBlob(w http.ResponseWriter, r *http.Request) {
	cred, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	ns := r.PathValue("ns")
	if err := protocol.ValidateNamespace(ns); err != nil {
		writeError(w, http.StatusBadRequest, "namespace: "+err.Error())
		return
	}
	h, err := protocol.ParseHash(r.PathValue("hash"))
	if err != nil || h != cred.content {
		writeError(w, http.StatusBadRequest, "the hash in the path is not the "+HeaderContentSHA256)
		return
	}
	if r.ContentLength > s.cfg.MaxBlobBytes {
		s.tooLarge(w, r, cred.sender, s.cfg.MaxBlobBytes)
		return
	}
	body := &verifyingReader{r: http.MaxBytesReader(w, r.Body, s.cfg.MaxBlobBytes), hash: sha256.New(), want: h}
	err = s.inbox.ReceiveBlob(r.Context(), cred.sender, ns, h, body)
	switch {
	case body.tooLarge:
		s.tooLarge(w, r, cred.sender, s.cfg.MaxBlobBytes)
	case body.mismatch:
		s.refuse(w, r, cred.sender.String(), "the body does not hash to "+HeaderContentSHA256)
	case err != nil:
		s.inboxFailed(w, r, cred.sender, "blob", err)
	default:
		// An inbox that already has the blob may stop reading early; the
		// server closes the connection rather than read the rest.
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request) {
	h, err := protocol.ParseHash(r.PathValue("hash"))
	if err != nil || s.storage == nil {
		writeError(w, http.StatusNotFound, "no such content")
		return
	}
	f, err := s.storage.Open(h)
	if err != nil {
		if errors.Is(err, messaging.ErrNotFound) {
			writeError(w, http.StatusNotFound, "no such content")
			return
		}
		s.log.Error().Str("remote", r.RemoteAddr).Str("hash", h.String()).Err(err).Msg("reading shared storage failed")
		writeError(w, http.StatusInternalServerError, "reading the content failed")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("ETag", `"`+h.String()+`"`)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, f)
}

// authenticate checks the request's credentials (package doc), answering
// 401 and reporting the refusal when they fail.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (credentials, bool) {
	cred, claimed, err := parseCredentials(r.Header)
	if err != nil {
		s.refuse(w, r, claimed, err.Error())
		return cred, false
	}
	pemKey, known := s.inbox.PeerKey(cred.sender)
	if !known {
		s.refuse(w, r, claimed, "unknown sender")
		return cred, false
	}
	key, err := ParsePublicKeyPEM(pemKey)
	if err != nil {
		s.log.Error().Str("sender", claimed).Err(err).Msg("the sender's registered transport key is unusable")
		s.refuse(w, r, claimed, "the sender's registered transport key is unusable")
		return cred, false
	}
	if err := cred.verify(key, r.Method, r.URL.EscapedPath(), s.self, s.now(), s.cfg.MaxClockSkew); err != nil {
		s.refuse(w, r, claimed, err.Error())
		return cred, false
	}
	return cred, true
}

// refuse answers 401 and reports the refusal to the inbox. The report
// outlives the request: a sender that hangs up is still recorded.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, claimed, reason string) {
	s.log.Warn().Str("sender", claimed).Str("remote", r.RemoteAddr).Str("reason", reason).Msg("refused a data-exchange request")
	s.inbox.Refused(context.WithoutCancel(r.Context()), claimed, r.RemoteAddr, reason)
	w.Header().Set("WWW-Authenticate", signatureScheme)
	writeError(w, http.StatusUnauthorized, reason)
}

func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request, sender protocol.NodeDID, limit int64) {
	s.log.Warn().Str("sender", sender.String()).Str("remote", r.RemoteAddr).Int64("limit", limit).Msg("request body too large")
	writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is over the limit of %d bytes", limit))
}

// inboxFailed maps the inbox's error: the sender's fault is 4xx, anything
// else 5xx (the sender retries).
func (s *Server) inboxFailed(w http.ResponseWriter, r *http.Request, sender protocol.NodeDID, what string, err error) {
	if r.Context().Err() != nil { // the sender hung up or timed out: nobody to answer, nothing wrong here
		s.log.Info().Str("sender", sender.String()).Str("remote", r.RemoteAddr).Err(err).Msg("the sender went away during the " + what)
		return
	}
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, messaging.ErrInvalidInput):
		status = http.StatusBadRequest
	case errors.Is(err, messaging.ErrTooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, messaging.ErrUnknownNamespace):
		status = http.StatusNotFound
	case errors.Is(err, messaging.ErrNotReady):
		status = http.StatusServiceUnavailable
	}
	ev := s.log.Warn()
	if status >= 500 {
		ev = s.log.Error()
	}
	ev.Str("sender", sender.String()).Str("remote", r.RemoteAddr).Int("status", status).Err(err).Msg("the inbox did not take the " + what)
	message := err.Error()
	if status == http.StatusInternalServerError {
		message = "the " + what + " could not be recorded" // this node's trouble, not the sender's business
	}
	writeError(w, status, message)
}

// readBody reads a batch body into one allocation when its length is
// declared (io.ReadAll's doubling would briefly hold twice a large batch).
func readBody(r io.Reader, length int64) ([]byte, error) {
	var buf bytes.Buffer
	if length > 0 {
		buf.Grow(int(length) + bytes.MinRead) // ReadFrom wants MinRead spare to see the end
	}
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// writeError writes the JSON error answer, code "LM10" + status.
func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}{fmt.Sprintf("LM10%d", status), message})
}

// verifyingReader hashes a blob as the inbox reads it and, at the end,
// fails the read instead of returning io.EOF when the bytes are not the
// declared ones, so the inbox never takes a mismatched blob as complete.
type verifyingReader struct {
	r        io.Reader
	hash     hash.Hash
	want     protocol.Hash
	tooLarge bool
	mismatch bool
}

var errBlobMismatch = fmt.Errorf("%w: the blob does not hash to its %s", messaging.ErrInvalidInput, HeaderContentSHA256)

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.mismatch {
		return 0, errBlobMismatch
	}
	n, err := v.r.Read(p)
	v.hash.Write(p[:n])
	switch {
	case errors.Is(err, io.EOF):
		var got protocol.Hash
		v.hash.Sum(got[:0])
		if got != v.want {
			v.mismatch = true
			return n, errBlobMismatch
		}
	case errors.As(err, new(*http.MaxBytesError)):
		v.tooLarge = true
	}
	return n, err
}
