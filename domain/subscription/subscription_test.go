package subscription_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

func TestNewFillsDefaults(t *testing.T) {
	v, err := subscription.New("default", subscription.Spec{Name: "orders", Transport: subscription.TransportWebSocket})
	require.NoError(t, err)
	assert.Equal(t, subscription.FirstNewest, v.Options.FirstEvent)
	assert.Equal(t, subscription.DefaultReadAhead, v.Options.ReadAhead)
}

func TestNewRefuses(t *testing.T) {
	ok := subscription.Spec{Name: "orders", Transport: subscription.TransportSSE}
	for name, c := range map[string]struct {
		ns   string
		edit func(*subscription.Spec)
		want string
	}{
		"bad namespace":       {ns: "no spaces", edit: func(*subscription.Spec) {}, want: "namespace"},
		"no name":             {edit: func(s *subscription.Spec) { s.Name = "" }, want: "name"},
		"bad name":            {edit: func(s *subscription.Spec) { s.Name = "a/b" }, want: "name"},
		"unknown transport":   {edit: func(s *subscription.Spec) { s.Transport = "carrier-pigeon" }, want: "transport"},
		"webhook without url": {edit: func(s *subscription.Spec) { s.Transport = subscription.TransportWebhook }, want: "options.url"},
		"bad firstEvent":      {edit: func(s *subscription.Spec) { s.Options.FirstEvent = "yesterday" }, want: "firstEvent"},
		"negative readAhead":  {edit: func(s *subscription.Spec) { s.Options.ReadAhead = -1 }, want: "readAhead"},
		"readAhead too large": {edit: func(s *subscription.Spec) { s.Options.ReadAhead = 1001 }, want: "readAhead"},
		"url on sse":          {edit: func(s *subscription.Spec) { s.Options.URL = "http://x" }, want: "options"},
		"bad filter":          {edit: func(s *subscription.Spec) { s.Filter.Tag = "(" }, want: "filter.tag"},
	} {
		t.Run(name, func(t *testing.T) {
			spec := ok
			c.edit(&spec)
			ns := c.ns
			if ns == "" {
				ns = "default"
			}
			_, err := subscription.New(ns, spec)
			require.ErrorIs(t, err, subscription.ErrInvalid)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestResolve(t *testing.T) {
	for in, want := range map[string]uint64{"oldest": 0, "newest": 77, "12": 12, "0": 0} {
		got, err := subscription.Resolve(in, 77)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := subscription.Resolve("-1", 77)
	assert.ErrorIs(t, err, subscription.ErrInvalid)
}
