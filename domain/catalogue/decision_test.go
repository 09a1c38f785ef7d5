package catalogue_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

func TestOverridesKeepsAConfirmedCopyConfirmed(t *testing.T) {
	cases := []struct {
		shown, next catalogue.Decision
		want        bool
	}{
		{"", catalogue.DecisionConfirmed, true},
		{"", catalogue.DecisionRejected, true},
		{catalogue.DecisionRejected, catalogue.DecisionConfirmed, true},
		{catalogue.DecisionRejected, catalogue.DecisionRejected, true},
		{catalogue.DecisionConfirmed, catalogue.DecisionRejected, false},
		{catalogue.DecisionConfirmed, catalogue.DecisionConfirmed, true},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, catalogue.Overrides(c.shown, c.next), "shown %q, next %q", c.shown, c.next)
	}
}

func TestRevokesOnlyTheDecisionShown(t *testing.T) {
	first := catalogue.ChainLocation{Chain: "c", Contract: "x", BlockNumber: 5, BlockHash: "0x5", TxHash: "0xa", LogIndex: 1}
	second := first
	second.BlockNumber, second.BlockHash = 9, "0x9"
	assert.True(t, catalogue.Revokes(&first, first))
	assert.False(t, catalogue.Revokes(&first, second), "another copy's revocation")
	assert.False(t, catalogue.Revokes(nil, first), "nothing decided")
}
