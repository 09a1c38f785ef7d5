package subscription_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

const secret = "0123456789abcdef"

func TestOutboundOptions(t *testing.T) {
	hook := func(edit func(*subscription.OptionsSpec)) subscription.Spec {
		s := subscription.Spec{Name: "hook", Transport: subscription.TransportWebhook,
			Options: subscription.OptionsSpec{URL: "https://example.com/hook", Secret: secret}}
		edit(&s.Options)
		return s
	}
	broker := func(t subscription.Transport, edit func(*subscription.OptionsSpec)) subscription.Spec {
		s := subscription.Spec{Name: "bridge", Transport: t}
		edit(&s.Options)
		return s
	}
	none := func(*subscription.OptionsSpec) {}
	for name, c := range map[string]struct {
		spec subscription.Spec
		want string // the field in the error; empty when valid
	}{
		"webhook":            {spec: hook(none)},
		"webhook http":       {spec: hook(func(o *subscription.OptionsSpec) { o.URL = "http://127.0.0.1:9000/x" })},
		"relative url":       {spec: hook(func(o *subscription.OptionsSpec) { o.URL = "/hook" }), want: "options.url"},
		"ftp url":            {spec: hook(func(o *subscription.OptionsSpec) { o.URL = "ftp://example.com/" }), want: "options.url"},
		"no host":            {spec: hook(func(o *subscription.OptionsSpec) { o.URL = "http:///x" }), want: "options.url"},
		"no secret":          {spec: hook(func(o *subscription.OptionsSpec) { o.Secret = "" }), want: "options.secret"},
		"short secret":       {spec: hook(func(o *subscription.OptionsSpec) { o.Secret = "short" }), want: "options.secret"},
		"subject on webhook": {spec: hook(func(o *subscription.OptionsSpec) { o.Subject = "a" }), want: "options.subject"},
		"retry": {spec: hook(func(o *subscription.OptionsSpec) {
			o.Retry = &subscription.RetrySpec{Initial: "10ms", Max: "1s", Attempts: 3}
		})},
		"retry bad duration":  {spec: hook(func(o *subscription.OptionsSpec) { o.Retry = &subscription.RetrySpec{Initial: "soon"} }), want: "options.retry.initial"},
		"retry negative":      {spec: hook(func(o *subscription.OptionsSpec) { o.Retry = &subscription.RetrySpec{Max: "-1s"} }), want: "options.retry.max"},
		"retry max < initial": {spec: hook(func(o *subscription.OptionsSpec) { o.Retry = &subscription.RetrySpec{Initial: "1m", Max: "1s"} }), want: "options.retry.max"},
		"too many attempts":   {spec: hook(func(o *subscription.OptionsSpec) { o.Retry = &subscription.RetrySpec{Attempts: 101} }), want: "options.retry.attempts"},
		"pause":               {spec: hook(func(o *subscription.OptionsSpec) { o.OnDeadLetter = "pause" })},
		"bad onDeadLetter":    {spec: hook(func(o *subscription.OptionsSpec) { o.OnDeadLetter = "panic" }), want: "options.onDeadLetter"},
		"nats":                {spec: broker(subscription.TransportNATS, none)},
		"nats url":            {spec: broker(subscription.TransportNATS, func(o *subscription.OptionsSpec) { o.URL = "nats://127.0.0.1:4222" })},
		"nats http url":       {spec: broker(subscription.TransportNATS, func(o *subscription.OptionsSpec) { o.URL = "http://x" }), want: "options.url"},
		"nats exchange":       {spec: broker(subscription.TransportNATS, func(o *subscription.OptionsSpec) { o.Exchange = "x" }), want: "options.exchange"},
		"nats secret":         {spec: broker(subscription.TransportNATS, func(o *subscription.OptionsSpec) { o.Secret = secret }), want: "options.secret"},
		"nats bad subject":    {spec: broker(subscription.TransportNATS, func(o *subscription.OptionsSpec) { o.Subject = "a.{nope}" }), want: "options.subject"},
		"amqp":                {spec: broker(subscription.TransportAMQP, func(o *subscription.OptionsSpec) { o.URL = "amqp://guest:guest@127.0.0.1:5672/" })},
		"amqp bad exchange":   {spec: broker(subscription.TransportAMQP, func(o *subscription.OptionsSpec) { o.Exchange = "a b" }), want: "options.exchange"},
		"amqp broker's exch":  {spec: broker(subscription.TransportAMQP, func(o *subscription.OptionsSpec) { o.Exchange = "amq.topic" }), want: "options.exchange"},
		"amqp nats url":       {spec: broker(subscription.TransportAMQP, func(o *subscription.OptionsSpec) { o.URL = "nats://x" }), want: "options.url"},
	} {
		t.Run(name, func(t *testing.T) {
			v, err := subscription.New("default", c.spec)
			if c.want != "" {
				require.ErrorIs(t, err, subscription.ErrInvalid)
				assert.Contains(t, err.Error(), c.want)
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, v.Options.OnDeadLetter, "defaulted")
			if v.Transport != subscription.TransportWebhook {
				assert.NotEmpty(t, v.Options.Subject, "defaulted")
			}
			if v.Transport == subscription.TransportAMQP {
				assert.Equal(t, subscription.DefaultExchange, v.Options.Exchange)
			}
		})
	}
}

func TestEphemeralRefusesOutboundOptions(t *testing.T) {
	_, _, err := subscription.Ephemeral("default", subscription.FilterSpec{}, subscription.OptionsSpec{URL: "http://x"})
	assert.ErrorIs(t, err, subscription.ErrInvalid)
}

func TestRetryPolicy(t *testing.T) {
	defaults := subscription.RetryPolicy{Initial: time.Second, Max: time.Minute, Attempts: 5}
	sub := subscription.Subscription{}
	assert.Equal(t, defaults, sub.Retry(defaults), "no options: the node's")
	sub.Options.Retry = &subscription.RetrySpec{Initial: "100ms", Attempts: 6}
	got := sub.Retry(defaults)
	assert.Equal(t, subscription.RetryPolicy{Initial: 100 * time.Millisecond, Max: time.Minute, Attempts: 6}, got)
	got.Max = 500 * time.Millisecond
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		500 * time.Millisecond, 500 * time.Millisecond}, got.Delays(), "doubling, capped, one fewer than attempts")
	assert.Empty(t, subscription.RetryPolicy{Initial: time.Second, Max: time.Second, Attempts: 1}.Delays())
	assert.NoError(t, got.Validate())
	for _, bad := range []subscription.RetryPolicy{{Initial: time.Second, Max: time.Second},
		{Max: time.Second, Attempts: 1}, {Initial: time.Second, Max: time.Millisecond, Attempts: 1}} {
		assert.ErrorIs(t, bad.Validate(), subscription.ErrInvalid, "%+v", bad)
	}
}

func TestSubjectTemplate(t *testing.T) {
	f := subscription.SubjectFields{Namespace: "default", Type: "message_confirmed", Topic: "orders.eu west",
		Author: "did:lm:org/org1"}
	for tmpl, want := range map[string]string{
		"ledgermirror.{namespace}.{type}": "ledgermirror.default.message_confirmed",
		"{namespace}.{topic}.{tag}":       "default.orders_eu_west._",
		"events.{author}":                 "events.did:lm:org/org1",
		"fixed":                           "fixed",
		"a-{type}-b":                      "a-message_confirmed-b",
	} {
		s, err := subscription.ParseSubject(tmpl)
		require.NoError(t, err, tmpl)
		assert.Equal(t, want, s.Render(f), tmpl)
	}
	for _, bad := range []string{"", "a..b", ".a", "a.", "a.{type", "a}", "{nope}", "a.*", "a.>", "a b", "{}",
		string(make([]byte, 256))} {
		_, err := subscription.ParseSubject(bad)
		assert.ErrorIs(t, err, subscription.ErrInvalid, "%q", bad)
	}
}
