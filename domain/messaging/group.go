package messaging

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// groupIDSpace seeds GroupKnown event ids: a group is recorded once.
var groupIDSpace = uuid.MustParse("b1f4d0a2-5c3e-4e8f-9a76-0d2c4b6e8f13")

// resolveGroup turns a request's member list into a group: each org must be
// registered, a named node must be one of its registered nodes, and an org
// named without a node brings all of its registered nodes. This node is
// always a member.
func (s *Service) resolveGroup(in GroupInput) (protocol.Group, error) {
	members := []protocol.Member{{Identity: s.self.Org, Node: s.self.Node}}
	for i, m := range in.Members {
		org, err := protocol.ParseOrgDID(m.Identity)
		if err != nil {
			return protocol.Group{}, invalidf("group.members[%d].identity: %v", i, err)
		}
		if _, ok := s.reg.Org(org); !ok {
			return protocol.Group{}, invalidf("group.members[%d].identity: %s is not registered in namespace %q", i, org, s.ns)
		}
		if m.Node != "" {
			node, err := protocol.ParseNodeDID(m.Node)
			if err != nil {
				return protocol.Group{}, invalidf("group.members[%d].node: %v", i, err)
			}
			if p, ok := s.reg.Node(node); !ok || p.Node.Org() != org {
				return protocol.Group{}, invalidf("group.members[%d].node: %s is not a registered node of %s", i, node, org)
			}
			members = append(members, protocol.Member{Identity: org, Node: node})
			continue
		}
		nodes := s.reg.NodesOf(org)
		if len(nodes) == 0 {
			return protocol.Group{}, invalidf("group.members[%d]: %s has no registered node", i, org)
		}
		for _, p := range nodes {
			members = append(members, protocol.Member{Identity: org, Node: p.Node})
		}
	}
	g, err := protocol.NewGroup(s.ns, in.Name, members)
	if err != nil {
		return protocol.Group{}, fmt.Errorf("%w: group: %w", ErrInvalidInput, err)
	}
	return g, nil
}

// knowGroup records the group once, so this node's aggregator can place the
// group's pins and its later batches carry it to the members.
func (s *Service) knowGroup(ctx context.Context, g protocol.Group) error {
	s.mu.Lock()
	_, known := s.groups[g.Hash()]
	s.mu.Unlock()
	if known {
		return nil
	}
	h := g.Hash()
	if err := s.append(ctx, catalogue.GroupStream(h), []uuid.UUID{uuid.NewSHA1(groupIDSpace, h[:])}, "",
		catalogue.GroupKnown{Namespace: s.ns, Group: g}); err != nil {
		return err
	}
	s.mu.Lock()
	s.groups[h] = g
	s.mu.Unlock()
	return nil
}

// recipients are the nodes a batch goes to, other than this one: every
// registered node for broadcast, the group's nodes for private.
func (s *Service) recipients(group *protocol.Hash) []Peer {
	var out []Peer
	if group == nil {
		for _, p := range s.reg.Nodes() {
			if p.Node != s.self.Node {
				out = append(out, p)
			}
		}
		return out
	}
	s.mu.Lock()
	g, ok := s.groups[*group]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	for _, m := range g.Members() {
		if m.Node == s.self.Node {
			continue
		}
		if p, ok := s.reg.Node(m.Node); ok {
			out = append(out, p)
		}
	}
	return out
}
