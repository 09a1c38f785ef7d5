// Package local keeps content-addressed bytes in a directory: BlobStore
// (messaging.BlobStore, this node's blob bytes) and SharedStorage
// (messaging.SharedStorage, the built-in shared storage for broadcast
// payloads, which peers fetch over the data exchange's HTTP server).
//
// # Layout and writes
//
// A file is stored as <dir>/<first 2 hex digits>/<64 hex digits of its
// sha256>. A write streams into a temporary file in <dir> (".tmp-*") while
// hashing, checks the hash it was told to expect, fsyncs the file, renames it
// into place and fsyncs the directory it landed in. So a file under its hash
// is always complete and durable, and a crash leaves at most a temporary file
// behind (removed at the next open once it is an hour old, so a second process
// sharing the directory is not robbed of a write in progress). Writing bytes
// that are already stored is a no-op; two concurrent writes of the same bytes
// both succeed and leave one file.
//
// # Shared storage references
//
// SharedStorage.Put returns <publicURL>/dx/v1/storage/<sha256 hex>, where
// publicURL is this node's data-exchange base URL; the data-exchange server
// serves GET /dx/v1/storage/{hash} from SharedStorage.Open, to anyone, since
// broadcast payloads are meant for every member. Get accepts any http(s) URL
// whose last path segment is a lower-case sha256 hex (no user info, query or
// fragment): it reads the local copy when there is one, else fetches the URL
// (no redirects, bounded in time and size), checks the bytes hash to the
// reference's hash and keeps a copy, so every payload is fetched from a peer
// at most once and this node can then serve it too.
package local
