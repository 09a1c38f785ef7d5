package catalogue_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
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
