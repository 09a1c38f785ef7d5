package e2ebench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// sender posts messages to one member's API, as an application does: JSON
// over keep-alive HTTP connections.
type sender struct {
	client       *http.Client
	broadcastURL string
	privateURL   string
	topics       int
	payloadBytes int
	pad          string
	// group is the private messages' group member list (the sender's org is
	// always added by the node).
	group string
}

const namespace = "default"

func newSender(apiURL string, opts Options, groupOrgs []string) (*sender, error) {
	// A pad of random hex, cut to size per message: every value differs by
	// its sequence number, and none compresses to nothing.
	raw := make([]byte, (opts.PayloadBytes+1)/2)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	members := make([]map[string]string, len(groupOrgs))
	for i, org := range groupOrgs {
		members[i] = map[string]string{"identity": "did:lm:org/" + org}
	}
	group, err := json.Marshal(map[string]any{"members": members})
	if err != nil {
		return nil, err
	}
	idle := 2 * opts.Senders
	base := apiURL + "/api/v1/namespaces/" + namespace + "/messages/"
	return &sender{
		client: &http.Client{Timeout: time.Minute, Transport: &http.Transport{
			MaxIdleConns: idle, MaxIdleConnsPerHost: idle, IdleConnTimeout: 90 * time.Second,
			DisableCompression: true,
		}},
		broadcastURL: base + "broadcast",
		privateURL:   base + "private",
		topics:       opts.Topics,
		payloadBytes: opts.PayloadBytes,
		pad:          hex.EncodeToString(raw),
		group:        string(group),
	}, nil
}

func (s *sender) close() { s.client.CloseIdleConnections() }

// body is message seq's request: its id, one topic (round robin), one data
// value of payloadBytes (as far as the sequence number leaves room), and
// the group for a private message.
func (s *sender) body(id uuid.UUID, seq int, private bool) []byte {
	b := make([]byte, 0, s.payloadBytes+256)
	b = append(b, `{"header":{"id":"`...)
	b = append(b, id.String()...)
	b = append(b, `","topics":["topic-`...)
	b = strconv.AppendInt(b, int64(seq%s.topics), 10)
	b = append(b, `"]},"data":[{"value":`...)
	valueStart := len(b)
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, `,"pad":"`...)
	padLen := max(0, s.payloadBytes-(len(b)-valueStart)-len(`"}`))
	b = append(b, s.pad[:min(padLen, len(s.pad))]...)
	b = append(b, `"}}]`...)
	if private {
		b = append(b, `,"group":`...)
		b = append(b, s.group...)
	}
	return append(b, '}')
}

// send posts message seq with id and checks the API accepted it under that
// id.
func (s *sender) send(ctx context.Context, id uuid.UUID, seq int, private bool) error {
	url := s.broadcastURL
	if private {
		url = s.privateURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(s.body(id, seq, private)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusAccepted {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("POST %s: %s: %s", url, resp.Status, bytes.TrimSpace(msg))
	}
	var view struct {
		Header struct {
			ID uuid.UUID `json:"id"`
		} `json:"header"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&view); err != nil {
		return fmt.Errorf("POST %s: reading the answer: %w", url, err)
	}
	if view.Header.ID != id {
		return fmt.Errorf("POST %s: the node answered with message %s, sent as %s", url, view.Header.ID, id)
	}
	// Drain what is left so the connection is reused.
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}
