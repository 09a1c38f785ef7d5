package projections

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// IdentitiesTable holds the confirmed orgs and nodes.
var IdentitiesTable = NewTable("identities", "did", []query.Field{
	{Name: "did", Type: query.String, Sortable: true},
	{Name: "kind", Type: query.Enum, Enum: []string{"org", "node"}, Sortable: true},
	{Name: "org", Type: query.String, Sortable: true},
	{Name: "key", Type: query.String, Sortable: true},
	{Name: "endpoint", Type: query.String, Sortable: true},
	{Name: "message", Type: query.UUID, Sortable: true},
	{Name: "registered", Type: query.Time, Sortable: true},
}, []query.SortKey{{Field: "registered"}})

// DatatypesTable holds the confirmed datatypes.
var DatatypesTable = NewTable("datatypes", "ref", []query.Field{
	{Name: "ref", Type: query.String, Sortable: true},
	{Name: "name", Type: query.String, Sortable: true},
	{Name: "version", Type: query.String, Sortable: true},
	{Name: "message", Type: query.UUID, Sortable: true},
	{Name: "defined", Type: query.Time, Sortable: true},
}, []query.SortKey{{Field: "defined"}})

// GroupsTable holds the private groups this node knows.
var GroupsTable = NewTable("groups", "hash", []query.Field{
	{Name: "hash", Type: query.Hash, Sortable: true},
	{Name: "name", Type: query.String, Sortable: true},
	{Name: "members", Type: query.StringList},
	{Name: "created", Type: query.Time, Sortable: true},
}, []query.SortKey{{Field: "created"}})

type identityDoc struct {
	DID          string                 `json:"did"`
	Kind         catalogue.IdentityKind `json:"kind"`
	Org          protocol.OrgDID        `json:"org"`
	Key          *protocol.SigningKey   `json:"key,omitempty"`
	Endpoint     string                 `json:"endpoint,omitempty"`
	TransportKey string                 `json:"transportKey,omitempty"`
	Message      uuid.UUID              `json:"message"`
	Registered   time.Time              `json:"registered"`
}

type datatypeDoc struct {
	Name    string          `json:"name"`
	Version string          `json:"version"`
	Schema  json.RawMessage `json:"schema"`
	Message uuid.UUID       `json:"message"`
	Defined time.Time       `json:"defined"`
}

type groupDoc struct {
	Hash    protocol.Hash     `json:"hash"`
	Name    string            `json:"name,omitempty"`
	Members []protocol.Member `json:"members"`
	Created time.Time         `json:"created"`
}

// Registry projects identities, datatypes and groups.
type Registry struct{}

// Name implements Projector.
func (Registry) Name() string { return "registry.v1" }

// Tables implements Projector.
func (Registry) Tables() []*Table { return []*Table{IdentitiesTable, DatatypesTable, GroupsTable} }

// Types implements Projector.
func (Registry) Types() []string {
	return []string{"IdentityRegistered", "DatatypeDefined", "GroupKnown"}
}

// Apply implements Projector.
func (Registry) Apply(tx Tx, ev event.Event, p catalogue.Payload) error {
	at := ev.Recorded.UTC()
	switch v := p.(type) {
	case catalogue.IdentityRegistered:
		doc := identityDoc{DID: v.Org.String(), Kind: v.Kind, Org: v.Org, Key: v.Key, Endpoint: v.Endpoint,
			TransportKey: v.TransportKey, Message: v.MessageID, Registered: at}
		if v.Kind == catalogue.IdentityNode {
			doc.DID = v.Node.String()
		}
		row := query.Row{NamespaceField: v.Namespace, "did": doc.DID, "kind": string(v.Kind), "org": v.Org.String(),
			"endpoint": optional(v.Endpoint), "message": [16]byte(v.MessageID), "registered": at}
		if v.Key != nil {
			row["key"] = v.Key.String()
		}
		return put(tx, IdentitiesTable, row, doc)
	case catalogue.DatatypeDefined:
		ref := v.Name + "/" + v.Version
		return put(tx, DatatypesTable, query.Row{NamespaceField: v.Namespace, "ref": ref, "name": v.Name, "version": v.Version,
			"message": [16]byte(v.MessageID), "defined": at},
			datatypeDoc{Name: v.Name, Version: v.Version, Schema: v.Schema, Message: v.MessageID, Defined: at})
	case catalogue.GroupKnown:
		h := v.Group.Hash()
		var prev groupDoc
		if found, err := load(tx, GroupsTable, v.Namespace, [32]byte(h), &prev); err != nil || found {
			return err
		}
		members := v.Group.Members()
		orgs := make([]string, 0, len(members))
		for _, m := range members {
			if len(orgs) == 0 || orgs[len(orgs)-1] != m.Identity.String() {
				orgs = append(orgs, m.Identity.String())
			}
		}
		return put(tx, GroupsTable, query.Row{NamespaceField: v.Namespace, "hash": [32]byte(h), "name": optional(v.Group.Name()),
			"members": orgs, "created": at}, groupDoc{Hash: h, Name: v.Group.Name(), Members: members, Created: at})
	}
	return nil
}
