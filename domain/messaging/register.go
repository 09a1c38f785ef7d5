package messaging

import (
	"context"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// definitionKey names which of this node's own registrations a definition
// message is: its org or its node.
type definitionKey string

const (
	defOrg  definitionKey = "org"
	defNode definitionKey = "node"
)

// definitionKeyOf tells whether a submitted message registers this node's
// org or node.
func definitionKeyOf(v catalogue.MessageSubmitted) (definitionKey, bool) {
	if v.Message.Header().Type() != protocol.MessageTypeDefinition || len(v.Data) != 1 {
		return "", false
	}
	def, err := definition.Parse(v.Data[0].Value())
	if err != nil {
		return "", false
	}
	switch def.Kind() {
	case definition.KindOrg:
		return defOrg, true
	case definition.KindNode:
		return defNode, true
	}
	return "", false
}

// registerLoop registers this node's org and node until both are confirmed
// as this node runs them: at start, and again whenever one of its
// definitions is rejected (after a growing pause, so a definition the
// network refuses does not spin).
func (p *pipeline) registerLoop(ctx context.Context) {
	pause := time.Second
	for {
		p.s.ensureRegistered(ctx)
		select {
		case <-ctx.Done():
			return
		case <-p.wakeReg:
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		pause = min(2*pause, time.Minute)
	}
}

// ensureRegistered sends the definitions still missing: the org (with its
// signing key) first, then the node (with its endpoint and transport key).
// One that is already on its way is not sent again.
func (s *Service) ensureRegistered(ctx context.Context) {
	s.mu.Lock()
	orgPending, nodePending := s.pendingDef[defOrg] != [16]byte{}, s.pendingDef[defNode] != [16]byte{}
	s.mu.Unlock()
	key, orgOK := s.reg.Org(s.self.Org)
	if orgOK && key != s.self.Key {
		s.log.Error("this org is registered with another signing key; its pins will be rejected",
			"org", s.self.Org, "registered", key, "configured", s.self.Key)
		return
	}
	if !orgOK && !orgPending {
		def := definition.Definition{Org: &definition.Org{Org: s.self.Org, Key: s.self.Key}}
		if _, err := s.sendDefinition(ctx, def); err != nil {
			s.log.Error("sending the org definition failed", "error", err)
			return
		}
		s.log.Info("registering org", "org", s.self.Org, "key", s.self.Key)
	}
	peer, nodeOK := s.reg.Node(s.self.Node)
	current := nodeOK && peer.Endpoint == s.self.Endpoint && peer.TransportKey == s.self.TransportKey
	if !current && !nodePending {
		def := definition.Definition{Node: &definition.Node{Node: s.self.Node, Endpoint: s.self.Endpoint,
			TransportKey: s.self.TransportKey}}
		if _, err := s.sendDefinition(ctx, def); err != nil {
			s.log.Error("sending the node definition failed", "error", err)
			return
		}
		s.log.Info("registering node", "node", s.self.Node, "endpoint", s.self.Endpoint)
	}
}
