package projector

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// MessageFields is what the builder takes from a stored message row: its
// document's fields and time, and its data refs.
func MessageFields(id uuid.UUID, raw json.RawMessage) (map[string][]string, time.Time, []protocol.DataRef, error) {
	m, err := parseMessageRow(id, raw)
	if err != nil {
		return nil, time.Time{}, nil, err
	}
	fields, created, err := m.fields(id)
	refs := make([]protocol.DataRef, len(m.Data))
	for i, r := range m.Data {
		refs[i] = protocol.DataRef{ID: r.ID, Hash: r.Hash}
	}
	return fields, created, refs, err
}
