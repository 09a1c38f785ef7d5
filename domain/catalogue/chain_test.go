package catalogue_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

func TestChainLocationValidate(t *testing.T) {
	good := catalogue.ChainLocation{Chain: "ethereum:1337", Contract: "0xabc", BlockHash: "0x0a", TxHash: "ff"}
	assert.NoError(t, good.Validate())
	for name, mutate := range map[string]func(*catalogue.ChainLocation){
		"empty chain":          func(l *catalogue.ChainLocation) { l.Chain = "" },
		"chain starts with :":  func(l *catalogue.ChainLocation) { l.Chain = ":x" },
		"upper-case chain":     func(l *catalogue.ChainLocation) { l.Chain = "Ethereum" },
		"chain too long":       func(l *catalogue.ChainLocation) { l.Chain = strings.Repeat("a", 129) },
		"no contract":          func(l *catalogue.ChainLocation) { l.Contract = "" },
		"empty block hash":     func(l *catalogue.ChainLocation) { l.BlockHash = "" },
		"bare 0x":              func(l *catalogue.ChainLocation) { l.BlockHash = "0x" },
		"upper-case hex":       func(l *catalogue.ChainLocation) { l.TxHash = "0xAB" },
		"not hex":              func(l *catalogue.ChainLocation) { l.TxHash = "0xzz" },
		"hash too long":        func(l *catalogue.ChainLocation) { l.TxHash = strings.Repeat("a", 129) },
		"space in block hash":  func(l *catalogue.ChainLocation) { l.BlockHash = "0x0a " },
		"double prefix":        func(l *catalogue.ChainLocation) { l.BlockHash = "0x0x0a" },
		"chain with a slash":   func(l *catalogue.ChainLocation) { l.Chain = "eth/1" },
		"chain with a space":   func(l *catalogue.ChainLocation) { l.Chain = "eth 1" },
		"chain with unicode":   func(l *catalogue.ChainLocation) { l.Chain = "éth" },
		"hash with a newline":  func(l *catalogue.ChainLocation) { l.TxHash = "0a\n" },
		"max-length hash fine": nil,
	} {
		t.Run(name, func(t *testing.T) {
			l := good
			if mutate == nil {
				l.TxHash = "0x" + strings.Repeat("a", 128)
				assert.NoError(t, l.Validate())
				return
			}
			mutate(&l)
			assert.ErrorIs(t, l.Validate(), catalogue.ErrInvalidPayload)
		})
	}
}

// A PinSubmitted recorded before transactions were recorded with their
// bytes still decodes, without them; rawTx, when present, is lower-case hex
// without 0x.
func TestPinSubmittedRawTx(t *testing.T) {
	cat := catalogue.Default()
	old := event.Event{ID: uuid.New(), Stream: "batch-x", Revision: 1, Position: 1, Type: "PinSubmitted", Version: 1,
		Data: []byte(`{"namespace":"default","batchId":"0b010203-0405-4607-8809-0a0b0c0d0e0f",` +
			`"txId":"0c010203-0405-4607-8809-0a0b0c0d0e0f","batchHash":"` + strings.Repeat("ab", 32) + `",` +
			`"contexts":["` + strings.Repeat("cd", 32) + `"],"signer":"0x00112233445566778899aabbccddeeff00112233",` +
			`"chain":"ethereum:1337","txHash":"0x` + strings.Repeat("ef", 32) + `","nonce":4}`)}
	p, err := cat.Decode(old)
	require.NoError(t, err)
	submitted := p.(catalogue.PinSubmitted)
	assert.Empty(t, submitted.RawTx)
	assert.Equal(t, uint64(4), submitted.Nonce)

	for raw, ok := range map[string]bool{"": true, "02f8": true, "0x02f8": false, "02F8": false, "02f": false, "zz": false} {
		submitted.RawTx = raw
		if ok {
			assert.NoError(t, submitted.Validate(), raw)
		} else {
			assert.Error(t, submitted.Validate(), raw)
		}
	}
}
