package projections

import (
	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
)

// appendJSON appends d exactly as json.Marshal(d) would, at a fraction of
// the cost: a message's document is written on every change of its state
// (see jsonappend.go). The field order and omitempty rules are
// MessageDoc's tags; TestDocJSONMatchesEncodingJSON holds the two
// together.
func (d *MessageDoc) appendJSON(b []byte) ([]byte, error) {
	return appendOrMarshal(b, d, d.appendFields)
}

func (d *MessageDoc) appendFields(b []byte) ([]byte, error) {
	var err error
	b = appendKey(append(b, '{'), "header", true)
	if b, err = appendRawJSON(b, d.Header); err != nil {
		return nil, err
	}
	b = appendHashHex(appendKey(b, "hash", false), d.Hash)
	b = appendKey(b, "data", false)
	if d.Data == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range d.Data {
			if r.ID == uuid.Nil {
				return nil, errUseEncodingJSON // DataRef's MarshalJSON refuses it
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = appendUUID(appendKey(append(b, '{'), "id", true), r.ID)
			b = append(appendHashHex(appendKey(b, "hash", false), r.Hash), '}')
		}
		b = append(b, ']')
	}
	b = jsonappend.String(appendKey(b, "state", false), d.State)
	if d.Reason != "" {
		b = jsonappend.String(appendKey(b, "reason", false), d.Reason)
	}
	if d.Batch != nil {
		b = appendUUID(appendKey(b, "batch", false), *d.Batch)
	}
	if d.Confirmed != nil {
		if b, err = appendTime(appendKey(b, "confirmed", false), *d.Confirmed); err != nil {
			return nil, errUseEncodingJSON
		}
	}
	if d.Sequence != 0 {
		b = appendInt(appendKey(b, "sequence", false), d.Sequence)
	}
	if len(d.Contexts) > 0 {
		b = appendList(appendKey(b, "contexts", false), d.Contexts, appendConfirmedContext)
	}
	if d.Location != nil {
		b = appendChainLocation(appendKey(b, "location", false), *d.Location)
	}
	return append(b, '}'), nil
}

// appendConfirmedContext appends c as json.Marshal does.
func appendConfirmedContext(b []byte, c catalogue.ConfirmedContext) []byte {
	b = appendHashHex(appendKey(append(b, '{'), "context", true), c.Context)
	b = appendHashHex(appendKey(b, "pin", false), c.Pin)
	b = appendUint(appendKey(b, "count", false), c.Count)
	b = appendHashHex(appendKey(b, "digest", false), c.Digest)
	return append(b, '}')
}

// appendChainLocation appends l as json.Marshal does.
func appendChainLocation(b []byte, l catalogue.ChainLocation) []byte {
	b = jsonappend.String(appendKey(append(b, '{'), "chain", true), l.Chain)
	b = jsonappend.String(appendKey(b, "contract", false), l.Contract)
	b = appendUint(appendKey(b, "blockNumber", false), l.BlockNumber)
	b = jsonappend.String(appendKey(b, "blockHash", false), l.BlockHash)
	b = jsonappend.String(appendKey(b, "txHash", false), l.TxHash)
	b = appendUint(appendKey(b, "txIndex", false), uint64(l.TxIndex))
	b = appendUint(appendKey(b, "logIndex", false), uint64(l.LogIndex))
	return append(b, '}')
}
