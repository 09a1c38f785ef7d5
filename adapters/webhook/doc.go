// Package webhook posts subscription events to an application's HTTP
// endpoint: one POST per event, the event JSON as the body, signed with
// HMAC-SHA256 under the subscription's secret (X-LM-Signature:
// sha256=<hex>) and carrying the event id (X-LM-Event-Id) so that a
// receiver can drop a redelivery. Any 2xx is delivered; anything else,
// including a redirect, is a failure the caller retries.
//
// Sign and Verify are the signature both sides compute; a receiver in Go
// can call Verify as it is.
package webhook
