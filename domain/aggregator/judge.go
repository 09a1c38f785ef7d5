package aggregator

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// verdict is a judgement: a rejection reason, or "" with the definition a
// confirmed message carries (nil for ordinary messages).
type verdict struct {
	reason catalogue.RejectReason
	detail string
	def    *definition.Definition
}

func reject(reason catalogue.RejectReason, format string, args ...any) verdict {
	return verdict{reason: reason, detail: fmt.Sprintf(format, args...)}
}

// judge applies the rejection rules of the package doc, in its order.
func (a *Aggregator) judge(u *unit) verdict {
	l := u.log
	if l.verdict != "" {
		return verdict{reason: l.verdict, detail: l.detail}
	}
	m := l.batch.manifest
	msg := *u.message
	author := m.Author()
	def, defErr := a.definitionOf(msg, l)
	key, registered := a.registry.orgKey(author, u.pos)
	if !registered {
		if def == nil || def.Org == nil || def.Org.Org != author {
			return reject(catalogue.RejectAuthorNotRegistered, "%s is not registered before this pin", author)
		}
		key = def.Org.Key
	}
	if l.obs.Signer != key {
		return reject(catalogue.RejectWrongSigner, "log signed by %s, %s's key is %s", l.obs.Signer, author, key)
	}
	if m.Key() != key {
		return reject(catalogue.RejectWrongSigner, "batch key %s is not %s's key %s", m.Key(), author, key)
	}
	group, private := m.Group()
	if private && !a.groups[group].has(author) {
		return reject(catalogue.RejectNotGroupMember, "%s is not a member of group %s", author, group)
	}
	if v, bad := a.judgePins(u, msg, group, private); bad {
		return v
	}
	if e, dup := a.confirmed.before(msg.ID(), u.pos); dup {
		return reject(catalogue.RejectDuplicateMessageID, "message %s was confirmed in batch %s", msg.ID(), e.batch)
	}
	if v, bad := a.judgeDatatypes(u, msg); bad {
		return v
	}
	if defErr != nil {
		return reject(catalogue.RejectInvalidContent, "%v", defErr)
	}
	if def != nil && def.Node != nil && def.Node.Node.Org() != author {
		return reject(catalogue.RejectWrongSigner, "%s cannot define a node of %s", author, def.Node.Node.Org())
	}
	if def != nil && def.Org != nil && def.Org.Org != author {
		return reject(catalogue.RejectWrongSigner, "%s cannot define org %s", author, def.Org.Org)
	}
	if def != nil && def.Org != nil {
		if owner, ok := a.registry.owner(def.Org.Key, u.pos); ok && owner != author {
			return reject(catalogue.RejectWrongSigner, "key %s is registered to %s", def.Org.Key, owner)
		}
	}
	return verdict{def: def}
}

// judgePins checks that each pin is the one the message owes: the topic's
// broadcast context, or the author's next nonce pin on the private context.
func (a *Aggregator) judgePins(u *unit, msg protocol.Message, group protocol.Hash, private bool) (verdict, bool) {
	topics := msg.Header().Topics()
	for i, p := range u.pins {
		topic := topics[i]
		if !private {
			// A context that confirmed a message knows its topic, which
			// saves hashing it; otherwise hash.
			if p.ctx.topic != topic && p.value != a.broadcastContext(topic) {
				return reject(catalogue.RejectManifestMismatch, "pin %s is not the context of topic %q", p.ref(), topic), true
			}
			continue
		}
		want := protocol.PrivateContext(a.cfg.Namespace, topic, group)
		if p.ctx == nil || p.ctx.hash != want || p.member != msg.Header().Author() {
			return reject(catalogue.RejectNonceMismatch, "pin %s is not %s's next nonce pin on topic %q", p.ref(),
				msg.Header().Author(), topic), true
		}
	}
	return verdict{}, false
}

func (a *Aggregator) judgeDatatypes(u *unit, msg protocol.Message) (verdict, bool) {
	for _, ref := range msg.Data() {
		d := a.item(u.log, ref)
		dt, ok := d.Datatype()
		if !ok {
			continue
		}
		schema := a.registry.datatype(dt, u.pos)
		if schema == nil {
			return reject(catalogue.RejectDatatypeInvalid, "data %s: datatype %s/%s is not defined before this pin",
				ref.ID, dt.Name(), dt.Version()), true
		}
		if err := validateValue(schema, d.Value()); err != nil {
			return reject(catalogue.RejectDatatypeInvalid, "data %s: %v", ref.ID, err), true
		}
	}
	return verdict{}, false
}

func validateValue(s *jsonschema.Schema, value []byte) error {
	if len(value) == 0 {
		return fmt.Errorf("no value to validate")
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(value))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// definitionOf parses a definition message's content. It returns nil, nil
// for other messages; a definition message that does not hold exactly one
// valid definition on the definitions topic returns the error.
func (a *Aggregator) definitionOf(msg protocol.Message, l *pinLog) (*definition.Definition, error) {
	h := msg.Header()
	if h.Type() != protocol.MessageTypeDefinition {
		return nil, nil
	}
	if !slices.Equal(h.Topics(), []string{protocol.DefinitionsTopic}) {
		return nil, fmt.Errorf("%w: a definition goes on topic %s alone", definition.ErrInvalidDefinition, protocol.DefinitionsTopic)
	}
	refs := msg.Data()
	if len(refs) != 1 {
		return nil, fmt.Errorf("%w: a definition message has one data item, not %d", definition.ErrInvalidDefinition, len(refs))
	}
	def, err := definition.Parse(a.item(l, refs[0]).Value())
	if err != nil {
		return nil, err
	}
	return &def, nil
}

// maxTopicCache bounds the topic-to-context cache; topics are chosen by
// senders, so the cache must not grow without limit.
const maxTopicCache = 1 << 16

// broadcastContext is protocol.BroadcastContext, cached: it is asked for
// every broadcast pin.
func (a *Aggregator) broadcastContext(topic string) protocol.Hash {
	if h, ok := a.topicCtx[topic]; ok {
		return h
	}
	h := protocol.BroadcastContext(a.cfg.Namespace, topic)
	if len(a.topicCtx) < maxTopicCache {
		a.topicCtx[topic] = h
	}
	return h
}
