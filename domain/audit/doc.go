// Package audit writes and verifies audit exports: a member's events as
// NDJSON that an auditor can check without trusting the member.
//
// # Format (ledgermirror-export/v1)
//
// One JSON object per line, each with "prev": the hex SHA-256 of the
// previous line's bytes (64 zeros for the first line), so the lines form a
// hash chain and a changed, added, removed or reordered line breaks it:
//
//   - event lines: {"prev", "position", "id", "stream", "revision", "type",
//     "version", "recorded", "metadata", "data"}, in position order, data
//     being the event's JSON body exactly as stored;
//   - then one manifest line: {"prev", "manifest": {...}} with the format,
//     the node and org, the namespace and position range exported, the
//     number of events, the final hash (of the last event line), and for
//     each batch pin observed in the range and not removed by a reorg, the
//     chain evidence (chain, contract, block, transaction, log index, batch
//     id and hash, contexts); optionally the manifest's signer and
//     signature (secp256k1 over the SHA-256 of the manifest's canonical JSON
//     without the signature);
//   - then one end line: {"prev", "end": true}, whose prev covers the
//     manifest line.
//
// Every byte is covered: a byte of an event line by the next line's prev,
// the manifest by the end line's, the end line by being exactly what it
// must be. Verify also recomputes every hash the events carry (data,
// message and batch hashes, batch contents against their manifests, the
// running digest of each context) and checks the manifest against the
// events. Signatures and on-chain evidence are checked through ports
// (SignatureChecker, PinChecker) that adapters implement.
package audit
