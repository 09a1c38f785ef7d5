// Package deliverybench measures event delivery on this machine: a replay
// of a node's event list from offset 0 to a WebSocket client, the same
// payloads through Watermill's GoChannel as a baseline, and the outbound
// transports (a webhook receiver, NATS JetStream) driven by the real
// delivery.Outbound routers.
//
// The event list is a node's: querybench's generated log of
// Options.Events messages, all confirmed, made of the real event types and
// projected by the real projectors into a new SQLite read model
// (querybench.FillReadModel), so every message has one message_confirmed
// event among the log's other app-facing events (pins observed,
// identities). A delivery.Engine reads it, woken by a fixed progress at the
// log's head.
//
//   - delivery.ws.replay: the real API server (api.New with
//     WithSubscriptions over the engine) on a loopback port; one WebSocket
//     client starts an ephemeral subscription to message_confirmed from the
//     oldest event with autoack and reads every event, checking that the
//     sequences increase and none is missing. The figure is events per
//     second from the start frame to the last event (target >= 50,000).
//   - delivery.gochannel: the same event payloads, read beforehand,
//     published to a Watermill GoChannel and received (and acked) by one
//     subscriber; events per second from the first publish to the last
//     receipt. delivery.ratio.gochannel is delivery.ws.replay divided by
//     it, both measured in the same run.
//   - delivery.webhook: a webhook subscription (HMAC secret, oldest first)
//     delivered by delivery.Outbound with the real webhook client to an
//     httptest receiver that verifies every signature and the order;
//     events per second over the first Options.OutboundEvents events.
//   - delivery.nats: the same with a NATS subscription published through
//     the watermill-nats JetStream publisher to Options.NATSURL, into a
//     stream of the run's own that is deleted afterwards; events per
//     second acknowledged by JetStream. Left out when NATSURL is empty.
//
// `ledgermirror bench delivery` runs it and prints `BENCH name=value unit`
// lines.
package deliverybench
