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
	"time"

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
	// applied is the position of the last event folded into the views.
	applied atomic.Uint64
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

// Ready is closed once the log has been replayed (the views are current
// and sends are accepted; Lead runs the pipelines).
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

// Run replays the event log into the namespaces' views, marks the node
// ready and follows the log until ctx ends (nil) or the subscription fails.
// The namespaces' outbound work runs in Lead.
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
	if head == 0 {
		n.start()
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
			n.applied.Store(uint64(ev.Position))
			if !n.ready.Load() && ev.Position >= head {
				n.start()
			}
		}
	}
}

func (n *Node) start() {
	n.once.Do(func() {
		n.ready.Store(true)
		close(n.readyCh)
		n.log.Info("messaging ready", "node", n.self.Node)
	})
}

// catchUpPoll is how often Lead looks whether the view has reached the
// log's head.
const catchUpPoll = 2 * time.Millisecond

// Lead runs namespace ns's outbound work (sealing, uploads, pins,
// deliveries to peers, fetches, registration) until ctx ends, then waits
// for it to stop and returns nil. Exactly one instance of a member may
// lead a namespace at a time; the caller holds that role (domain/leader).
// Before it starts, the view catches up with everything recorded until
// now, so a new leader knows every batch and nonce the last one sealed.
func (n *Node) Lead(ctx context.Context, ns string) error {
	s, err := n.Service(ns)
	if err != nil {
		return err
	}
	if !s.led.CompareAndSwap(false, true) {
		// The pipeline kept its queues in memory; what they held when it
		// stopped is only found again by replaying the log.
		return fmt.Errorf("%w: namespace %s was led by this process already; a process leads a namespace once (restart it to lead again)",
			ErrInvalidConfig, ns)
	}
	select {
	case <-n.readyCh:
	case <-ctx.Done():
		return nil
	}
	head, err := n.store.Head(ctx)
	if ctx.Err() != nil {
		return nil //nolint:nilerr // stopping: the failed read is the shutdown
	}
	if err != nil {
		return fmt.Errorf("leading namespace %s: %w", ns, err)
	}
	for n.applied.Load() < uint64(head) {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(catchUpPoll):
		}
	}
	s.pipeline.lead(ctx)
	n.log.Info("leading namespace", "namespace", ns, "node", n.self.Node, "position", uint64(head))
	<-ctx.Done()
	s.pipeline.wait()
	return nil
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
