package projections

import "github.com/ledgermirror/ledgermirror/domain/jsonappend"

// appendJSON appends d exactly as json.Marshal(d) would (see
// jsonappend.go): every decision of a message lists an event.
func (d *EventDoc) appendJSON(b []byte) ([]byte, error) { return appendOrMarshal(b, d, d.appendFields) }

func (d *EventDoc) appendFields(b []byte) ([]byte, error) {
	b = appendUUID(appendKey(append(b, '{'), "id", true), d.ID)
	b = appendInt(appendKey(b, "sequence", false), d.Sequence)
	b = jsonappend.String(appendKey(b, "type", false), d.Type)
	b = jsonappend.String(appendKey(b, "namespace", false), d.Namespace)
	b = jsonappend.String(appendKey(b, "reference", false), d.Reference)
	if d.Correlator != nil {
		b = appendUUID(appendKey(b, "correlator", false), *d.Correlator)
	}
	if d.Tx != "" {
		b = jsonappend.String(appendKey(b, "tx", false), d.Tx)
	}
	if len(d.Topics) > 0 {
		b = appendList(appendKey(b, "topics", false), d.Topics, jsonappend.String)
	}
	if d.Tag != "" {
		b = jsonappend.String(appendKey(b, "tag", false), d.Tag)
	}
	if d.Author != "" {
		b = jsonappend.String(appendKey(b, "author", false), d.Author)
	}
	if d.Group != nil {
		b = appendHashHex(appendKey(b, "group", false), *d.Group)
	}
	b, err := appendTime(appendKey(b, "created", false), d.Created)
	if err != nil {
		return nil, errUseEncodingJSON
	}
	return append(b, '}'), nil
}
