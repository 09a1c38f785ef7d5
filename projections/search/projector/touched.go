package projector

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// eventTypes are the events that touch a document; others are not decoded.
var eventTypes = map[string]bool{
	"DataStored": true, "MessageSubmitted": true, "BatchReceived": true,
	"MessageConfirmed": true, "MessageRejected": true, "DecisionRevoked": true,
}

// docKey names one document.
type docKey struct {
	ns   string
	kind search.Kind
	id   uuid.UUID
}

// touchedSet collects the documents a batch of events touches, each once,
// in the order first touched.
type touchedSet struct {
	keys []docKey
	seen map[docKey]bool
}

func (t *touchedSet) add(ns string, kind search.Kind, id uuid.UUID) {
	k := docKey{ns: ns, kind: kind, id: id}
	if t.seen == nil {
		t.seen = map[docKey]bool{}
	}
	if !t.seen[k] {
		t.seen[k] = true
		t.keys = append(t.keys, k)
	}
}

// idOnly reads the id of a data item from its JSON, without the validation and hashing a full decode costs: a
// document named here that the read model does not have is skipped, so
// naming too many is harmless, and what the projections accepted decodes
// here too.
type idOnly struct {
	ID uuid.UUID `json:"id"`
}

// touch adds the documents payload p touches.
func (t *touchedSet) touch(p catalogue.Payload) {
	switch v := p.(type) {
	case catalogue.DataStored:
		t.add(v.Namespace, search.Data, v.Data.ID())
	case catalogue.MessageSubmitted:
		// A message's document waits for its decision (see the package
		// doc); its data items are searchable at once.
		ns := v.Message.Header().Namespace()
		for _, d := range v.Data {
			t.add(ns, search.Data, d.ID())
		}
	case catalogue.BatchReceived:
		// The projections keep the data of the batch's namespace only;
		// its messages' documents wait for their decisions.
		for _, raw := range v.Data {
			var d idOnly
			if json.Unmarshal(raw, &d) == nil && d.ID != uuid.Nil {
				t.add(v.Namespace, search.Data, d.ID)
			}
		}
	case catalogue.MessageConfirmed:
		t.add(v.Namespace, search.Messages, v.MessageID)
	case catalogue.MessageRejected:
		t.add(v.Namespace, search.Messages, v.MessageID)
	case catalogue.DecisionRevoked:
		t.add(v.Namespace, search.Messages, v.MessageID)
	}
}
