package messaging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Node is a member node's messaging across the namespaces it serves. It
// feeds every namespace's view from one subscription to the event store,
// starts the pipelines once the log is replayed, implements Inbox for the
// data-exchange adapter and the use cases the API calls.
type Node struct {
	self     Self
	store    event.Store
	cat      *catalogue.Catalogue
	services map[string]*Service
	log      *slog.Logger

	ready   atomic.Bool
	readyCh chan struct{}
	once    sync.Once
}

// NewNode returns a node serving services (one per namespace, all with
// the same Self and store).
func NewNode(self Self, store event.Store, cat *catalogue.Catalogue, log *slog.Logger, services ...*Service) (*Node, error) {
	if err := self.Validate(); err != nil {
		return nil, err
	}
	if len(services) == 0 {
		return nil, fmt.Errorf("%w: a node serves at least one namespace", ErrInvalidConfig)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := &Node{self: self, store: store, cat: cat, services: map[string]*Service{}, log: log, readyCh: make(chan struct{})}
	for _, s := range services {
		if _, dup := n.services[s.ns]; dup {
			return nil, fmt.Errorf("%w: namespace %q twice", ErrInvalidConfig, s.ns)
		}
		n.services[s.ns] = s
	}
	return n, nil
}

// Ready is closed once the log has been replayed and the pipelines run.
func (n *Node) Ready() <-chan struct{} { return n.readyCh }

// Serves reports whether the node serves namespace ns.
func (n *Node) Serves(ns string) bool {
	_, ok := n.services[ns]
	return ok
}

// Service returns a namespace's service.
func (n *Node) Service(ns string) (*Service, error) {
	s, ok := n.services[ns]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownNamespace, ns)
	}
	return s, nil
}

// Run replays the event log into the namespaces' views, then starts their
// pipelines and follows the log until ctx ends (nil) or the subscription
// fails.
func (n *Node) Run(ctx context.Context) error {
	head, err := n.store.Head(ctx)
	if err != nil {
		return err
	}
	sub, err := n.store.Subscribe(ctx, 0, event.Filter{})
	if err != nil {
		return err
	}
	defer func() { _ = sub.Close() }()
	defer func() {
		for _, s := range n.services {
			s.pipeline.wait()
		}
	}()
	if head == 0 {
		n.start(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-sub.Events():
			if !ok {
				if err := sub.Err(); err != nil {
					return fmt.Errorf("following the event log: %w", err)
				}
				return nil
			}
			n.apply(ev)
			if !n.ready.Load() && ev.Position >= head {
				n.start(ctx)
			}
		}
	}
}

func (n *Node) start(ctx context.Context) {
	n.once.Do(func() {
		n.ready.Store(true)
		for _, s := range n.services {
			s.pipeline.start(ctx)
			s.pipeline.recover(ctx)
		}
		close(n.readyCh)
		n.log.Info("messaging started", "node", n.self.Node)
	})
}

// apply routes one event to its namespace's view.
func (n *Node) apply(ev event.Event) {
	ns := ev.Metadata.Namespace
	if ns == "" {
		ns = n.namespaceOf(ev)
	}
	s, ok := n.services[ns]
	if !ok {
		return
	}
	if !relevant[ev.Type] || n.skipDecode(s, ev) {
		return
	}
	p, err := n.cat.Decode(ev)
	if err != nil {
		n.log.Warn("skipping an event the catalogue cannot read", "position", ev.Position, "type", ev.Type, "error", err)
		return
	}
	s.apply(ev, p, n.ready.Load())
}

// skipDecode handles the events whose stream says all the view needs, so
// the big ones are not decoded: a received batch only marks its id as here,
// and a message this node recorded itself (send applied it already) needs
// nothing more. Decoding every batch in full was the node's largest cost.
func (n *Node) skipDecode(s *Service, ev event.Event) bool {
	switch ev.Type {
	case "BatchReceived":
		id, err := uuid.Parse(strings.TrimPrefix(ev.Stream, "batch-"))
		if err != nil || !strings.HasPrefix(ev.Stream, "batch-") {
			return false
		}
		s.markReceived(id)
		return true
	case "MessageSubmitted":
		if !n.ready.Load() {
			return false // replaying: the view is being built from these
		}
		id, err := uuid.Parse(strings.TrimPrefix(ev.Stream, "message-"))
		return err == nil && strings.HasPrefix(ev.Stream, "message-") && s.knows(id)
	}
	return false
}

// relevant are the event types the views use; the rest are not decoded.
var relevant = map[string]bool{
	"IdentityRegistered": true, "DatatypeDefined": true, "DataStored": true, "MessageSubmitted": true,
	"GroupKnown": true, "BatchSealed": true, "BatchDispatched": true, "BatchReceived": true,
	"PinSubmitted": true, "PinFailed": true, "PinObserved": true, "ChainCheckpoint": true,
	"MessageConfirmed": true, "MessageRejected": true, "DecisionRevoked": true, "OperationRecorded": true,
}

// namespaceOf finds the namespace of an event recorded without one in its
// metadata: the chain follower's, whose stream names it.
func (n *Node) namespaceOf(ev event.Event) string {
	for ns := range n.services {
		if strings.HasPrefix(ev.Stream, "chain-"+ns+"-") {
			return ns
		}
	}
	return ""
}

// Status says how the node is.
func (n *Node) Status(ctx context.Context) (Status, error) {
	head, err := n.store.Head(ctx)
	if err != nil {
		return Status{}, err
	}
	st := Status{Node: n.self.Node.String(), Org: n.self.Org.String(), EventStoreHead: uint64(head), Ready: n.ready.Load()}
	names := make([]string, 0, len(n.services))
	for ns := range n.services {
		names = append(names, ns)
	}
	sort.Strings(names)
	for _, ns := range names {
		nst := n.services[ns].status()
		st.Ready = st.Ready && nst.Registered
		st.Namespaces = append(st.Namespaces, nst)
	}
	return st, nil
}

// ReceiveBatch implements Inbox.
func (n *Node) ReceiveBatch(ctx context.Context, from protocol.NodeDID, env Envelope) error {
	s, ok := n.services[env.Namespace]
	if !ok {
		return fmt.Errorf("%w: this node does not serve namespace %q", ErrInvalidInput, env.Namespace)
	}
	if _, ok := s.reg.Node(from); !ok {
		// Not yet, most likely: the sender's registration is confirmed here
		// a little later than on the sender. It tries again.
		return fmt.Errorf("%w: %s is not registered in namespace %q yet", ErrNotReady, from, env.Namespace)
	}
	return s.receive(ctx, &from, env)
}

// ReceiveBlob implements Inbox.
func (n *Node) ReceiveBlob(ctx context.Context, from protocol.NodeDID, namespace string, hash protocol.Hash, r io.Reader) error {
	s, ok := n.services[namespace]
	if !ok {
		return fmt.Errorf("%w: this node does not serve namespace %q", ErrInvalidInput, namespace)
	}
	if _, ok := s.reg.Node(from); !ok {
		return fmt.Errorf("%w: %s is not registered in namespace %q yet", ErrNotReady, from, namespace)
	}
	return s.receiveBlob(ctx, hash, r)
}

// PeerKey implements Inbox.
func (n *Node) PeerKey(node protocol.NodeDID) (string, bool) {
	for _, s := range n.services {
		if p, ok := s.reg.Node(node); ok {
			return p.TransportKey, true
		}
	}
	return "", false
}

// Refused implements Inbox.
func (n *Node) Refused(ctx context.Context, claimed, remote, reason string) {
	ev, err := n.cat.Encode(uuid.New(), catalogue.PeerRefused{Claimed: claimed, Remote: remote, Reason: reason},
		event.Metadata{Node: n.self.Node.String()})
	if err == nil {
		_, err = n.store.Append(ctx, catalogue.PeerStream, event.Any(), ev)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		n.log.Error("recording a refused peer request failed", "claimed", claimed, "remote", remote, "error", err)
	}
}
