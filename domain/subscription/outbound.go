package subscription

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// OnDeadLetter values: what an outbound subscription does after an event
// exhausted its attempts.
const (
	OnDeadLetterContinue = "continue"
	OnDeadLetterPause    = "pause"
)

// Webhook secret bounds, in bytes. A short secret makes the signature
// guessable; a long one is a mistake (a key file pasted whole).
const (
	MinSecret = 16
	MaxSecret = 512
)

// MaxAttempts bounds RetryPolicy.Attempts.
const MaxAttempts = 100

// Broker defaults: the subject (NATS) or routing key (AMQP) template and
// the AMQP exchange of a subscription that names none.
const (
	DefaultSubject  = "ledgermirror.{namespace}.{type}"
	DefaultExchange = "ledgermirror"
)

// RetryPolicy is an outbound transport's exponential back-off: the wait
// after the first failed attempt is Initial, each next wait doubles, up to
// Max; after Attempts attempts the event is dead-lettered.
type RetryPolicy struct {
	Initial  time.Duration
	Max      time.Duration
	Attempts int
}

// Validate reports a policy that cannot run.
func (p RetryPolicy) Validate() error {
	switch {
	case p.Attempts < 1 || p.Attempts > MaxAttempts:
		return invalid("options.retry.attempts", "%d is not between 1 and %d", p.Attempts, MaxAttempts)
	case p.Initial <= 0:
		return invalid("options.retry.initial", "%s is not positive", p.Initial)
	case p.Max < p.Initial:
		return invalid("options.retry.max", "%s is below initial %s", p.Max, p.Initial)
	}
	return nil
}

// Delays lists the waits between attempts: Attempts-1 of them.
func (p RetryPolicy) Delays() []time.Duration {
	out := make([]time.Duration, 0, max(p.Attempts-1, 0))
	d := p.Initial
	for range p.Attempts - 1 {
		out = append(out, d)
		d = min(d*2, p.Max)
	}
	return out
}

// Retry is the subscription's back-off: its options.retry over defaults
// (the node's). The options were checked by New, so they parse.
func (s Subscription) Retry(defaults RetryPolicy) RetryPolicy {
	p := defaults
	r := s.Options.Retry
	if r == nil {
		return p
	}
	if d, err := time.ParseDuration(r.Initial); err == nil && r.Initial != "" {
		p.Initial = d
	}
	if d, err := time.ParseDuration(r.Max); err == nil && r.Max != "" {
		p.Max = d
	}
	if r.Attempts != 0 {
		p.Attempts = r.Attempts
	}
	p.Max = max(p.Max, p.Initial)
	return p
}

// PauseOnDeadLetter says whether a dead letter pauses the subscription.
func (s Subscription) PauseOnDeadLetter() bool { return s.Options.OnDeadLetter == OnDeadLetterPause }

// checkTransportOptions validates and defaults the options that belong to
// transport t, and refuses those of other transports.
func checkTransportOptions(t Transport, o OptionsSpec) (OptionsSpec, error) {
	if !t.Outbound() {
		if o.URL != "" || o.Secret != "" || o.Retry != nil || o.OnDeadLetter != "" || o.Subject != "" || o.Exchange != "" {
			return OptionsSpec{}, invalid("options", "url, secret, retry, onDeadLetter, subject and exchange are options "+
				"of the outbound transports (webhook, nats, amqp), not of %s", t)
		}
		return o, nil
	}
	if err := checkRetry(o.Retry); err != nil {
		return OptionsSpec{}, err
	}
	switch o.OnDeadLetter {
	case "":
		o.OnDeadLetter = OnDeadLetterContinue
	case OnDeadLetterContinue, OnDeadLetterPause:
	default:
		return OptionsSpec{}, invalid("options.onDeadLetter", "%q is not %q or %q", o.OnDeadLetter,
			OnDeadLetterContinue, OnDeadLetterPause)
	}
	switch t {
	case TransportWebhook:
		return checkWebhook(o)
	case TransportNATS:
		return checkBroker(o, []string{"nats", "tls", "ws", "wss"}, false)
	default:
		return checkBroker(o, []string{"amqp", "amqps"}, true)
	}
}

func checkWebhook(o OptionsSpec) (OptionsSpec, error) {
	if o.URL == "" {
		return OptionsSpec{}, invalid("options.url", "a webhook needs the URL to POST to")
	}
	if err := checkURL(o.URL, []string{"http", "https"}); err != nil {
		return OptionsSpec{}, err
	}
	if len(o.Secret) < MinSecret || len(o.Secret) > MaxSecret {
		return OptionsSpec{}, invalid("options.secret", "a webhook's signing secret is %d to %d bytes long (got %d)",
			MinSecret, MaxSecret, len(o.Secret))
	}
	if o.Subject != "" || o.Exchange != "" {
		return OptionsSpec{}, invalid("options.subject", "subject and exchange are broker options, not webhook ones")
	}
	return o, nil
}

func checkBroker(o OptionsSpec, schemes []string, exchange bool) (OptionsSpec, error) {
	if o.URL != "" {
		if err := checkURL(o.URL, schemes); err != nil {
			return OptionsSpec{}, err
		}
	}
	if o.Secret != "" {
		return OptionsSpec{}, invalid("options.secret", "a broker bridge is not signed; put credentials in the url")
	}
	if o.Subject == "" {
		o.Subject = DefaultSubject
	}
	if _, err := ParseSubject(o.Subject); err != nil {
		return OptionsSpec{}, err
	}
	switch {
	case !exchange && o.Exchange != "":
		return OptionsSpec{}, invalid("options.exchange", "an AMQP option; NATS publishes to the subject")
	case exchange && o.Exchange == "":
		o.Exchange = DefaultExchange
	case exchange:
		if err := checkExchange(o.Exchange); err != nil {
			return OptionsSpec{}, err
		}
	}
	return o, nil
}

func checkURL(raw string, schemes []string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return invalid("options.url", "%v", err)
	}
	if !slices.Contains(schemes, u.Scheme) || u.Host == "" {
		return invalid("options.url", "%q is not an absolute %v URL with a host", redactURL(u), schemes)
	}
	return nil
}

// redactURL hides a URL's password in messages.
func redactURL(u *url.URL) string { return u.Redacted() }

func checkRetry(r *RetrySpec) error {
	if r == nil {
		return nil
	}
	if r.Attempts < 0 || r.Attempts > MaxAttempts {
		return invalid("options.retry.attempts", "%d is not between 1 and %d", r.Attempts, MaxAttempts)
	}
	var initial, maxWait time.Duration
	for _, f := range []struct {
		field, value string
		into         *time.Duration
	}{{"options.retry.initial", r.Initial, &initial}, {"options.retry.max", r.Max, &maxWait}} {
		if f.value == "" {
			continue
		}
		d, err := time.ParseDuration(f.value)
		if err != nil || d <= 0 {
			return invalid(f.field, "%q is not a positive duration (like 500ms or 1m)", f.value)
		}
		*f.into = d
	}
	if initial > 0 && maxWait > 0 && maxWait < initial {
		return invalid("options.retry.max", "%s is below initial %s", maxWait, initial)
	}
	return nil
}

// checkExchange applies AMQP's rule for exchange names.
func checkExchange(name string) error {
	if len(name) > 255 {
		return invalid("options.exchange", "longer than 255 bytes")
	}
	for _, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !letter && !strings.ContainsRune("-_.:", r) {
			return invalid("options.exchange", "%q: an exchange name has letters, digits, -, _, . and : only", name)
		}
	}
	if name == "" || strings.HasPrefix(name, "amq.") {
		return invalid("options.exchange", "%q: empty and amq.* names are the broker's", name)
	}
	return nil
}

// RetrySpec is options.retry as written.
type RetrySpec = catalogue.SubscriptionRetry

// String describes a policy for logs.
func (p RetryPolicy) String() string {
	return fmt.Sprintf("%d attempts, %s..%s", p.Attempts, p.Initial, p.Max)
}
