package projections

import (
	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// appendJSON appends d exactly as json.Marshal(d) would (see
// jsonappend.go): every pin observed and every change of its state writes
// one.
func (d *pinDoc) appendJSON(b []byte) ([]byte, error) { return appendOrMarshal(b, d, d.appendFields) }

func (d *pinDoc) appendFields(b []byte) ([]byte, error) {
	if d.Signer.IsZero() {
		return nil, errUseEncodingJSON // its MarshalText refuses it
	}
	b = jsonappend.String(appendKey(append(b, '{'), "ref", true), d.Ref)
	b = appendUUID(appendKey(b, "batch", false), d.Batch)
	b = appendChainLocation(appendKey(b, "location", false), d.Location)
	b = appendInt(appendKey(b, "index", false), int64(d.Index))
	b = appendHashHex(appendKey(b, "value", false), d.Value)
	b = jsonappend.String(appendKey(b, "signer", false), d.Signer.String())
	b = jsonappend.String(appendKey(b, "state", false), d.State)
	if d.Reason != "" {
		b = jsonappend.String(appendKey(b, "reason", false), d.Reason)
	}
	if d.BlockedBy != "" {
		b = jsonappend.String(appendKey(b, "blockedBy", false), d.BlockedBy)
	}
	if d.Detail != "" {
		b = jsonappend.String(appendKey(b, "detail", false), d.Detail)
	}
	b, err := appendTime(appendKey(b, "created", false), d.Created)
	if err != nil {
		return nil, errUseEncodingJSON
	}
	return append(b, '}'), nil
}

// appendJSON appends d exactly as json.Marshal(d) would (see
// jsonappend.go).
func (d *chainEventDoc) appendJSON(b []byte) ([]byte, error) {
	return appendOrMarshal(b, d, d.appendFields)
}

func (d *chainEventDoc) appendFields(b []byte) ([]byte, error) {
	if d.Signer.IsZero() {
		return nil, errUseEncodingJSON // its MarshalText refuses it
	}
	b = jsonappend.String(appendKey(append(b, '{'), "ref", true), d.Ref)
	b = jsonappend.String(appendKey(b, "name", false), d.Name)
	b = appendChainLocation(appendKey(b, "location", false), d.Location)
	b = jsonappend.String(appendKey(b, "signer", false), d.Signer.String())
	b = appendUUID(appendKey(b, "txId", false), d.TxID)
	b = appendUUID(appendKey(b, "batch", false), d.Batch)
	b = appendHashHex(appendKey(b, "batchHash", false), d.BatchHash)
	if d.PayloadRef != "" {
		b = jsonappend.String(appendKey(b, "payloadRef", false), d.PayloadRef)
	}
	b = appendKey(b, "contexts", false)
	if d.Contexts == nil {
		b = append(b, "null"...)
	} else {
		b = appendList(b, d.Contexts, func(b []byte, h protocol.Hash) []byte { return appendHashHex(b, h) })
	}
	b = appendUint(appendKey(b, "timestamp", false), d.Timestamp)
	b = appendKey(b, "removed", false)
	if d.Removed {
		b = append(b, "true"...)
	} else {
		b = append(b, "false"...)
	}
	b, err := appendTime(appendKey(b, "created", false), d.Created)
	if err != nil {
		return nil, errUseEncodingJSON
	}
	return append(b, '}'), nil
}
