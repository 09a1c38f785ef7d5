// Package protocol holds the values every member of a ledgermirror network
// computes independently and must agree on to the byte: identities, data,
// message headers, private groups, batch manifests, contexts and pins, and the
// digests members compare to prove they agree. PROTOCOL.md is the
// specification; contracts/vectors holds golden hashes, checked by this
// package's tests, that pin every rule down.
//
// Every value is built by a validating constructor (NewData, NewMessageHeader,
// NewGroup, NewManifest, ...) and is valid afterwards; its fields are
// unexported so it cannot be changed after its hash is computed. Stored or
// received JSON is read back through UnmarshalX functions (also used by the
// UnmarshalJSON methods) that re-validate everything and recompute every hash,
// so a value that round-trips through the event store or the wire is the value
// that was hashed.
//
// Hashing a structure always means SHA-256 of its RFC 8785 canonical JSON
// (package canonicaljson), with absent optional members omitted. Contexts and
// pins are SHA-256 of raw byte concatenations because they go on chain as
// bytes32.
//
// Choices PROTOCOL.md leaves open, made here and fixed by the golden vectors:
//
//   - Names (orgs, nodes, namespaces, datatypes and their versions, group
//     names) are 1 to 64 characters of [A-Za-z0-9._-] starting with a letter or
//     digit. ASCII keeps every sort order in the protocol equal, and excludes
//     '/' (the DID separator) and 0x00 (the context separator).
//   - Topics and tags are 1 to 64 bytes of UTF-8 without control characters; a
//     message has 1 to 16 distinct topics, ["default"] if it names none.
//   - A data item needs a value or a blob; JSON null counts as no value; a
//     datatype needs a value. The value is kept in canonical form.
//   - A group has 1 to 1024 members and each member's node belongs to its org;
//     its name may be empty and is then hashed as "".
//   - A batch has 1 to 1000 messages sharing namespace, author, key, group and
//     txtype. The manifest's data list has each referenced item once, in order
//     of first reference.
//   - Ids are lower-case 36-character UUIDs and never the nil UUID; times are
//     exactly "2006-01-02T15:04:05.000000000Z"; hashes are lower-case hex;
//     signing keys are Ethereum addresses, accepted in any case and written in
//     lower case.
//
// A receiver verifies a batch with VerifyBatch; each failure is a *VerifyError
// whose Reason (batch-hash-mismatch, message-hash-mismatch, ...) is the
// rejection reason recorded in the event store.
package protocol
