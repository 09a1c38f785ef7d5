// Package http is the data exchange over HTTP: Client implements
// messaging.Transport (sealed batches and blobs sent to peer nodes), and
// Server is the http.Handler that receives them for a messaging.Inbox and
// serves this node's shared storage. contracts/dataexchange/README.md is the
// wire contract; this comment is its Go-side explanation.
//
// # Routes
//
//	POST /dx/v1/batches             an Envelope as JSON (authenticated)
//	PUT  /dx/v1/blobs/{ns}/{hash}   a blob's bytes, streamed (authenticated)
//	GET  /dx/v1/storage/{hash}      shared-storage content (open to anyone)
//	GET  /dx/v1/health              200 while the server runs
//
// Errors are JSON, {"error":"LM10401","message":"..."}, the code being
// "LM10" followed by the status. A peer answers 204 once the inbox has
// recorded what it was sent.
//
// # Authentication
//
// Each node has an ed25519 transport key; its public key (PEM, PKIX "PUBLIC
// KEY") is registered in its node definition, and Inbox.PeerKey looks it up.
// Every authenticated request carries four headers:
//
//	LM-Sender:         the sender's node DID (did:lm:node/<org>/<name>)
//	LM-Timestamp:      seconds since the Unix epoch, 1 to 19 ASCII digits
//	LM-Content-SHA256: 64 lower-case hex digits: the sha256 of the body for
//	                   a batch, the blob's hash for a blob
//	LM-Signature:      base64 (RFC 4648 section 4, padded: 88 characters) of
//	                   the ed25519 signature of the string to sign
//
// The string to sign is seven lines joined by "\n" (0x0A), with no newline at
// the end:
//
//	LM-DX-V1
//	<method>            "POST" or "PUT"
//	<path>              the request path from "/dx/v1/" on, exactly as sent
//	                    (percent-encoded); not the endpoint's base path, and
//	                    no query (the server ignores any)
//	<timestamp>         the LM-Timestamp value
//	<content sha256>    the LM-Content-SHA256 value
//	<sender>            the LM-Sender value
//	<recipient>         the receiving node's DID
//
// Each header must appear exactly once. The server refuses with 401, and
// reports to Inbox.Refused, a request with a header missing or malformed, a
// sender the inbox does not know, a signature that does not verify against
// the sender's registered key (as a PEM, its key for every namespace), a
// timestamp more than ServerConfig.MaxClockSkew (5 minutes) from its clock,
// or a body that does not hash to LM-Content-SHA256. The signature is checked
// before the timestamp, so a "timestamp" refusal names a real sender whose
// clock is off rather than a forger.
//
// Why these fields: the signature binds who sends what to whom, when. The
// content hash covers the body without the signer buffering it (a blob's
// hash is known before it is streamed, and the server hashes the stream as
// it passes it to the inbox, so a blob is never held in memory either). The
// recipient line stops a peer from replaying a request it received to
// another node. Within the skew window a request can be replayed to the same
// node; that is harmless because receiving a batch or a blob is idempotent.
// Confidentiality is TLS's job (an https endpoint), not this scheme's.
//
// # Client behaviour
//
// One attempt per call: the messaging layer retries with back-off. 2xx is
// success; 4xx is a *messaging.PeerError (the same request would be refused
// again), except 408 and 429, which are worth retrying; 5xx, connection
// errors and timeouts are plain errors. Connections are kept alive and
// shared across calls. A batch carries an Idempotency-Key (its content hash)
// so that Go's transport may resend it when a kept-alive connection turns
// out to be closed. A blob is sent with Expect: 100-continue, so a refusal or
// a 413 comes before the bytes, and its body is streamed from the opener with
// its declared Content-Length.
package http
