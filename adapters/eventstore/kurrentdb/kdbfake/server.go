// Package kdbfake is an in-memory stand-in for the part of KurrentDB's gRPC
// Streams API that the kurrentdb event store uses (append with an expected
// revision, reads of a stream and of $all in both directions, filtered
// subscriptions to $all), served on a loopback port, so that the store's
// own logic (judgement, claims, paging, the catch-up/live switch, Close)
// can run the contract suite without a server. It is not KurrentDB: it
// behaves as the adapter's doc.go says KurrentDB does, so a pass here
// checks the adapter against those assumptions, not the assumptions
// themselves. Only tests import it.
//
// What it does on purpose to keep the adapter honest: positions are byte
// offsets that skip (as $all's do), the log starts with records of other
// streams, reads from a position include the record there (forwards and
// backwards), subscriptions from a position exclude it, and a read of $all
// from a position that is not a record's is refused.
package kdbfake

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/kurrent-io/KurrentDB-Client-Go/protos/kurrentdb/protocols/v1/shared"
	api "github.com/kurrent-io/KurrentDB-Client-Go/protos/kurrentdb/protocols/v1/streams"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// record is one stored event.
type record struct {
	id       uuid.UUID
	stream   string
	number   uint64
	pos      uint64
	created  time.Time
	metadata map[string]string
	custom   []byte
	data     []byte
}

// Server is a running fake. Start it with Start, stop it with Stop.
type Server struct {
	api.UnimplementedStreamsServer

	mu      sync.Mutex
	log     []record         // in position order
	streams map[string][]int // stream -> indexes into log
	next    uint64           // position of the next record
	changed chan struct{}    // closed and replaced at each append

	grpc *grpc.Server
	lis  net.Listener
}

// Start serves a fake on 127.0.0.1 whose log already holds a few records
// of other streams.
func Start() (*Server, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{streams: map[string][]int{}, next: 4096, changed: make(chan struct{}), grpc: grpc.NewServer(), lis: lis}
	for i := range 3 {
		s.store(fmt.Sprintf("$system-%d", i), []*api.AppendReq_ProposedMessage{{
			Id:       uuidProto(uuid.New()),
			Metadata: map[string]string{"type": "$statsCollected", "content-type": "application/json"},
			Data:     []byte(`{}`),
		}})
	}
	api.RegisterStreamsServer(s.grpc, s)
	go func() { _ = s.grpc.Serve(lis) }()
	return s, nil
}

// URL is the connection string of the fake.
func (s *Server) URL() string { return "esdb://" + s.lis.Addr().String() + "?tls=false" }

// Stop ends every call and closes the port.
func (s *Server) Stop() { s.grpc.Stop() }

// Append appends one request's events if the expected revision holds.
func (s *Server) Append(stream api.Streams_AppendServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "the first message must be the options")
	}
	var msgs []*api.AppendReq_ProposedMessage
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		msgs = append(msgs, req.GetProposedMessage())
	}
	name := string(opts.GetStreamIdentifier().GetStreamName())

	s.mu.Lock()
	current := uint64(len(s.streams[name]))
	ok := true
	switch opts.GetExpectedStreamRevision().(type) {
	case *api.AppendReq_Options_NoStream:
		ok = current == 0
	case *api.AppendReq_Options_StreamExists:
		ok = current > 0
	case *api.AppendReq_Options_Revision:
		ok = current == opts.GetRevision()+1
	}
	if !ok {
		s.mu.Unlock()
		return stream.SendAndClose(&api.AppendResp{Result: &api.AppendResp_WrongExpectedVersion_{
			WrongExpectedVersion: &api.AppendResp_WrongExpectedVersion{},
		}})
	}
	last := s.store(name, msgs)
	s.mu.Unlock()
	return stream.SendAndClose(&api.AppendResp{Result: &api.AppendResp_Success_{Success: &api.AppendResp_Success{
		CurrentRevisionOption: &api.AppendResp_Success_CurrentRevision{CurrentRevision: last.number},
		PositionOption: &api.AppendResp_Success_Position{Position: &api.AppendResp_Position{
			CommitPosition: last.pos, PreparePosition: last.pos,
		}},
	}}})
}

// store appends msgs to stream; s.mu is held (or s not yet shared).
func (s *Server) store(stream string, msgs []*api.AppendReq_ProposedMessage) record {
	var r record
	for _, m := range msgs {
		r = record{
			id: uuidFromProto(m.GetId()), stream: stream, number: uint64(len(s.streams[stream])), pos: s.next,
			created: time.Now().UTC(), metadata: m.GetMetadata(), custom: m.GetCustomMetadata(), data: m.GetData(),
		}
		s.streams[stream] = append(s.streams[stream], len(s.log))
		s.log = append(s.log, r)
		// Records take room in the log: positions skip.
		s.next += 64 + uint64(len(r.data)+len(r.custom)+len(stream))
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return r
}

// Read serves stream reads, $all reads and $all subscriptions.
func (s *Server) Read(req *api.ReadReq, out api.Streams_ReadServer) error {
	o := req.GetOptions()
	if o.GetSubscription() != nil {
		return s.subscribe(o, out)
	}
	count := o.GetCount()
	backwards := o.GetReadDirection() == api.ReadReq_Options_Backwards
	s.mu.Lock()
	recs, err := s.page(o, backwards, count)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if recs == nil && o.GetStream() != nil {
		return out.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
			StreamIdentifier: o.GetStream().GetStreamIdentifier(),
		}}})
	}
	for _, r := range recs {
		if err := out.Send(eventResp(r)); err != nil {
			return err
		}
	}
	return nil
}

// page is what a read returns: nil for a stream that does not exist.
func (s *Server) page(o *api.ReadReq_Options, backwards bool, count uint64) ([]record, error) {
	var idx []int
	start := 0
	if st := o.GetStream(); st != nil {
		all, ok := s.streams[string(st.GetStreamIdentifier().GetStreamName())]
		if !ok {
			return nil, nil
		}
		idx = all
		switch {
		case st.GetEnd() != nil:
			start = len(idx) - 1
		case st.GetStart() == nil:
			start = int(min(st.GetRevision(), uint64(len(idx))))
		}
		if !backwards && st.GetStart() != nil {
			start = 0
		}
	} else {
		idx = make([]int, len(s.log))
		for i := range idx {
			idx[i] = i
		}
		a := o.GetAll()
		switch {
		case a.GetStart() != nil:
			start = 0
		case a.GetEnd() != nil:
			start = len(idx) - 1
			if !backwards {
				start = len(idx)
			}
		default:
			p := a.GetPosition()
			i := sort.Search(len(s.log), func(i int) bool { return s.log[i].pos >= p.GetCommitPosition() })
			if i == len(s.log) || s.log[i].pos != p.GetCommitPosition() || p.GetCommitPosition() != p.GetPreparePosition() {
				return nil, status.Errorf(codes.InvalidArgument, "invalid position C:%d/P:%d", p.GetCommitPosition(), p.GetPreparePosition())
			}
			start = i
		}
	}
	out := []record{}
	for i := start; i >= 0 && i < len(idx) && uint64(len(out)) < count; {
		out = append(out, s.log[idx[i]])
		if backwards {
			i--
		} else {
			i++
		}
	}
	return out, nil
}

// subscribe serves a subscription to $all: records after the start that
// match the stream-prefix filter, then new ones as they are appended.
func (s *Server) subscribe(o *api.ReadReq_Options, out api.Streams_ReadServer) error {
	a := o.GetAll()
	if a == nil {
		return status.Error(codes.Unimplemented, "the fake serves subscriptions to $all only")
	}
	prefixes := o.GetFilter().GetStreamIdentifier().GetPrefix()
	if err := out.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{
		Confirmation: &api.ReadResp_SubscriptionConfirmation{SubscriptionId: uuid.NewString()},
	}}); err != nil {
		return err
	}
	s.mu.Lock()
	next := 0
	switch {
	case a.GetStart() != nil:
	case a.GetEnd() != nil:
		next = len(s.log)
	default:
		p := a.GetPosition().GetCommitPosition()
		next = sort.Search(len(s.log), func(i int) bool { return s.log[i].pos > p })
	}
	s.mu.Unlock()
	ctx := out.Context()
	for {
		s.mu.Lock()
		recs := append([]record(nil), s.log[next:]...)
		changed := s.changed
		s.mu.Unlock()
		for _, r := range recs {
			next++
			if !matches(r.stream, prefixes) {
				continue
			}
			if err := out.Send(eventResp(r)); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		}
	}
}

func matches(stream string, prefixes []string) bool {
	if len(prefixes) == 0 {
		return true
	}
	for _, p := range prefixes {
		if strings.HasPrefix(stream, p) {
			return true
		}
	}
	return false
}

func eventResp(r record) *api.ReadResp {
	meta := make(map[string]string, len(r.metadata)+1)
	for k, v := range r.metadata {
		meta[k] = v
	}
	meta["created"] = strconv.FormatInt(r.created.UnixNano()/100, 10)
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: &api.ReadResp_ReadEvent{
		Event: &api.ReadResp_ReadEvent_RecordedEvent{
			Id:               uuidProto(r.id),
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.stream)},
			StreamRevision:   r.number,
			PreparePosition:  r.pos,
			CommitPosition:   r.pos,
			Metadata:         meta,
			CustomMetadata:   r.custom,
			Data:             r.data,
		},
		Position: &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.pos},
	}}}
}

func uuidProto(id uuid.UUID) *shared.UUID {
	var most, least int64
	for i := range 8 {
		most = most<<8 | int64(id[i])
		least = least<<8 | int64(id[8+i])
	}
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits: most, LeastSignificantBits: least,
	}}}
}

func uuidFromProto(u *shared.UUID) uuid.UUID {
	st := u.GetStructured()
	var id uuid.UUID
	for i := range 8 {
		id[7-i] = byte(uint64(st.GetMostSignificantBits()) >> (8 * i))
		id[15-i] = byte(uint64(st.GetLeastSignificantBits()) >> (8 * i))
	}
	return id
}
