package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// errNoSubscriptions answers the subscription routes of a server built
// without WithSubscriptions.
var errNoSubscriptions = fmt.Errorf("%w: this server has no subscriptions", messaging.ErrNotReady)

// SubscriptionView is a subscription as the API shows it. The webhook
// secret is never shown.
type SubscriptionView struct {
	ID        uuid.UUID               `json:"id"`
	Namespace string                  `json:"namespace"`
	Name      string                  `json:"name"`
	Transport subscription.Transport  `json:"transport"`
	Filter    subscription.FilterSpec `json:"filter"`
	Options   subscriptionOptionsView `json:"options"`
	Start     uint64                  `json:"start"`
	Offset    uint64                  `json:"offset"`
	// State is "active", or "paused" (from PausedAt, a dead letter's
	// sequence, until a resume or that dead letter's redrive).
	State    string    `json:"state"`
	PausedAt uint64    `json:"pausedAt,omitempty"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

type subscriptionOptionsView struct {
	FirstEvent string `json:"firstEvent"`
	ReadAhead  int    `json:"readAhead"`
	WithData   bool   `json:"withData"`
	// URL is shown without its password; the webhook secret never.
	URL          string                  `json:"url,omitempty"`
	Retry        *subscription.RetrySpec `json:"retry,omitempty"`
	OnDeadLetter string                  `json:"onDeadLetter,omitempty"`
	Subject      string                  `json:"subject,omitempty"`
	Exchange     string                  `json:"exchange,omitempty"`
}

func subscriptionView(s subscription.Subscription) SubscriptionView {
	state := "active"
	if s.Paused() {
		state = "paused"
	}
	o := s.Options
	return SubscriptionView{ID: s.ID, Namespace: s.Namespace, Name: s.Name, Transport: s.Transport,
		Filter: s.Filter.Spec(), Options: subscriptionOptionsView{FirstEvent: o.FirstEvent,
			ReadAhead: o.ReadAhead, WithData: o.WithData, URL: redactURL(o.URL), Retry: o.Retry,
			OnDeadLetter: o.OnDeadLetter, Subject: o.Subject, Exchange: o.Exchange},
		Start: s.Start, Offset: s.Offset, State: state, PausedAt: s.PausedAt, Created: s.Created.UTC(), Updated: s.Updated.UTC()}
}

// redactURL hides a password in a URL (a broker's credentials).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Redacted()
}

// subscriptionError puts a subscription error into the API's classes (the
// one mapping in errors.go): invalid 400, not found 404, exists 409.
func subscriptionError(err error) error {
	switch {
	case errors.Is(err, subscription.ErrInvalid):
		return fmt.Errorf("%w: %w", messaging.ErrInvalidInput, err)
	case errors.Is(err, subscription.ErrNotFound):
		return fmt.Errorf("%w: %w", messaging.ErrNotFound, err)
	case errors.Is(err, subscription.ErrExists), errors.Is(err, subscription.ErrTakenOver):
		// A stream taken over by a newer consumer is a conflict of
		// consumers, not a server failure.
		return fmt.Errorf("%w: %w", messaging.ErrConflict, err)
	}
	return err
}

// subscriptionParams reads the namespace and, when named, the name.
func (s *Server) subscriptionParams(c echo.Context, named bool) (ns, name string, err error) {
	if s.deps.subs == nil {
		return "", "", errNoSubscriptions
	}
	if ns, err = namespaceParam(c); err != nil || !named {
		return ns, "", err
	}
	name, err = pathParam(c, "name")
	return ns, name, err
}

// postSubscription: POST /namespaces/:ns/subscriptions.
func (s *Server) postSubscription(c echo.Context) error {
	ns, _, err := s.subscriptionParams(c, false)
	if err != nil {
		return err
	}
	var spec subscription.Spec
	if err := s.decodeJSON(c, &spec); err != nil {
		return err
	}
	sub, err := s.deps.subs.Create(c.Request().Context(), ns, spec)
	if err != nil {
		return subscriptionError(err)
	}
	return c.JSON(http.StatusCreated, subscriptionView(sub))
}

// listSubscriptions: GET /namespaces/:ns/subscriptions.
func (s *Server) listSubscriptions(c echo.Context) error {
	ns, _, err := s.subscriptionParams(c, false)
	if err != nil {
		return err
	}
	subs, err := s.deps.subs.List(c.Request().Context(), ns)
	if err != nil {
		return subscriptionError(err)
	}
	out := make([]SubscriptionView, len(subs))
	for i, sub := range subs {
		out[i] = subscriptionView(sub)
	}
	return c.JSON(http.StatusOK, out)
}

// getSubscription: GET /namespaces/:ns/subscriptions/:name.
func (s *Server) getSubscription(c echo.Context) error {
	ns, name, err := s.subscriptionParams(c, true)
	if err != nil {
		return err
	}
	sub, err := s.deps.subs.Get(c.Request().Context(), ns, name)
	if err != nil {
		return subscriptionError(err)
	}
	return c.JSON(http.StatusOK, subscriptionView(sub))
}

// putSubscription: PUT /namespaces/:ns/subscriptions/:name.
func (s *Server) putSubscription(c echo.Context) error {
	ns, name, err := s.subscriptionParams(c, true)
	if err != nil {
		return err
	}
	var spec subscription.Spec
	if err := s.decodeJSON(c, &spec); err != nil {
		return err
	}
	sub, err := s.deps.subs.Update(c.Request().Context(), ns, name, spec)
	if err != nil {
		return subscriptionError(err)
	}
	return c.JSON(http.StatusOK, subscriptionView(sub))
}

// deleteSubscription: DELETE /namespaces/:ns/subscriptions/:name.
func (s *Server) deleteSubscription(c echo.Context) error {
	ns, name, err := s.subscriptionParams(c, true)
	if err != nil {
		return err
	}
	if err := s.deps.subs.Delete(c.Request().Context(), ns, name); err != nil {
		return subscriptionError(err)
	}
	return c.NoContent(http.StatusNoContent)
}
