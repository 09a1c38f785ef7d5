package deliverybench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/api"
	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
)

// wsReadLimit bounds one event frame the client takes.
const wsReadLimit = 1 << 20

// wsReplay serves the engine through the real API on a loopback port and
// replays every message_confirmed event from offset 0 to one WebSocket
// client with autoack, checking the order; it returns events per second.
func (b *bench) wsReplay(ctx context.Context) (_ float64, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	srv := api.New(api.Config{Listen: ln.Addr().String()}, querybench.ReadOnlyBackend(), zerolog.Nop(),
		api.WithReadModel(b.node.rm), api.WithSubscriptions(b.node.repo, b.node.engine))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		err = errors.Join(err, srv.Shutdown(sctx), <-served)
	}()

	conn, res, err := websocket.Dial(ctx, "ws://"+ln.Addr().String()+"/ws", nil)
	if err != nil {
		return 0, err
	}
	if res.Body != nil {
		_ = res.Body.Close()
	}
	defer func() { _ = conn.CloseNow() }()
	conn.SetReadLimit(wsReadLimit)
	b.progress(fmt.Sprintf("%s: replaying %d events from offset 0 to a WebSocket client (autoack)", NameWSReplay, b.opts.Events))
	start := time.Now()
	if err := conn.Write(ctx, websocket.MessageText, fmt.Appendf(nil,
		`{"type":"start","namespace":%q,"filter":{"events":[%q]},"firstEvent":"oldest","autoack":true}`,
		querybench.LogNamespace, confirmedEvent)); err != nil {
		return 0, err
	}
	_, started, err := conn.Read(ctx)
	if err != nil {
		return 0, err
	}
	if !bytes.Contains(started, []byte(`"type":"started"`)) {
		return 0, fmt.Errorf("start refused: %s", started)
	}
	var order sequenceCheck
	for range b.opts.Events {
		_, frame, err := conn.Read(ctx)
		if err != nil {
			return 0, fmt.Errorf("after %d events: %w", order.n, err)
		}
		seq, err := frameSequence(frame)
		if err != nil {
			return 0, err
		}
		if err := order.next(seq); err != nil {
			return 0, err
		}
	}
	took := time.Since(start)
	_ = conn.Close(websocket.StatusNormalClosure, "")
	return rate(order.n, took), nil
}

// sequenceCheck follows the sequences of one subscription's deliveries:
// each must be above the last.
type sequenceCheck struct {
	last uint64
	n    int
}

func (c *sequenceCheck) next(seq uint64) error {
	if seq <= c.last {
		return fmt.Errorf("event %d after event %d: out of order", seq, c.last)
	}
	c.last = seq
	c.n++
	return nil
}

// frameSequence reads an event frame's "sequence" without decoding the
// rest: the client stays cheap next to the server it measures.
func frameSequence(frame []byte) (uint64, error) {
	const key = `"sequence":`
	i := bytes.Index(frame, []byte(key))
	if i < 0 {
		return 0, fmt.Errorf("frame without a sequence: %.200s", frame)
	}
	rest := frame[i+len(key):]
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	seq, err := strconv.ParseUint(string(rest[:end]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("frame sequence: %w: %.200s", err, frame)
	}
	return seq, nil
}
