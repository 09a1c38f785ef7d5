package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// errNoRedriver answers a redrive on a server built without WithRedriver.
var errNoRedriver = fmt.Errorf("%w: this server does not redrive dead letters", messaging.ErrNotReady)

// DeadLetterView is a dead letter as the API shows it.
type DeadLetterView struct {
	Sequence  uint64    `json:"sequence"`
	EventID   uuid.UUID `json:"eventId"`
	EventType string    `json:"eventType"`
	Attempts  int       `json:"attempts"`
	Error     string    `json:"error"`
	// Paused says whether this dead letter paused the subscription.
	Paused   bool       `json:"paused"`
	Recorded time.Time  `json:"recorded"`
	Redriven *time.Time `json:"redriven,omitempty"`
}

// listDeadLetters: GET /namespaces/:ns/subscriptions/:name/deadletters.
func (s *Server) listDeadLetters(c echo.Context) error {
	ns, name, err := s.subscriptionParams(c, true)
	if err != nil {
		return err
	}
	dls, err := s.deps.subs.DeadLetters(c.Request().Context(), ns, name)
	if err != nil {
		return subscriptionError(err)
	}
	out := make([]DeadLetterView, len(dls))
	for i, d := range dls {
		out[i] = DeadLetterView{Sequence: d.Sequence, EventID: d.EventID, EventType: d.EventType, Attempts: d.Attempts,
			Error: d.Error, Paused: d.Paused, Recorded: d.Recorded.UTC()}
		if !d.Redriven.IsZero() {
			at := d.Redriven.UTC()
			out[i].Redriven = &at
		}
	}
	return c.JSON(http.StatusOK, out)
}

// postRedrive: POST /namespaces/:ns/subscriptions/:name/deadletters/:sequence/redrive.
// 200 with the subscription once the event was delivered (and the redrive
// recorded); 502 LM10502 when the attempt failed.
func (s *Server) postRedrive(c echo.Context) error {
	ns, name, err := s.subscriptionParams(c, true)
	if err != nil {
		return err
	}
	raw, err := pathParam(c, "sequence")
	if err != nil {
		return err
	}
	seq, err := strconv.ParseUint(raw, 10, 64)
	if err != nil || seq == 0 {
		return fmt.Errorf("%w: sequence %q is not a positive integer", messaging.ErrInvalidInput, raw)
	}
	if s.deps.redriver == nil {
		return errNoRedriver
	}
	sub, err := s.deps.redriver.Redrive(c.Request().Context(), ns, name, seq)
	if err != nil {
		return subscriptionError(err)
	}
	return c.JSON(http.StatusOK, subscriptionView(sub))
}

// postSubscriptionResume: POST /namespaces/:ns/subscriptions/:name/resume.
func (s *Server) postSubscriptionResume(c echo.Context) error {
	ns, name, err := s.subscriptionParams(c, true)
	if err != nil {
		return err
	}
	sub, err := s.deps.subs.Resume(c.Request().Context(), ns, name)
	if err != nil {
		return subscriptionError(err)
	}
	return c.JSON(http.StatusOK, subscriptionView(sub))
}
