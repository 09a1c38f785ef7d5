package protocol

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// Contexts and pins are hashes of raw byte strings, not of JSON, because they
// go on chain as bytes32. "||" in PROTOCOL.md is plain concatenation: strings
// as their UTF-8 bytes, the group hash as its 32 raw bytes, the nonce as 8
// big-endian bytes. The 0x00 after the namespace cannot occur inside a
// namespace (ValidateNamespace), which keeps namespace and topic apart.
//
// These functions hash whatever they are given; callers pass validated
// namespaces, topics and DIDs (the constructors of MessageHeader and Manifest
// guarantee them).

// BroadcastContext is the ordering context of a broadcast topic:
// sha256(ns || 0x00 || topic). It is also the on-chain pin.
func BroadcastContext(namespace, topic string) Hash {
	d := sha256.New()
	writeContextPrefix(d, namespace, topic)
	return sum(d)
}

// PrivateContext is the ordering context of a topic within a private group:
// sha256(ns || 0x00 || topic || groupHashBytes). It never goes on chain.
func PrivateContext(namespace, topic string, group Hash) Hash {
	d := sha256.New()
	writeContextPrefix(d, namespace, topic)
	d.Write(group[:])
	return sum(d)
}

// NoncePin is the on-chain pin of a private message:
// sha256(ns || 0x00 || topic || groupHashBytes || authorDID || uint64BE(nonce)),
// where nonce counts author's earlier pins on that private context from 0.
// Only group members can link it to its context.
func NoncePin(namespace, topic string, group Hash, author OrgDID, nonce uint64) Hash {
	d := sha256.New()
	writeContextPrefix(d, namespace, topic)
	d.Write(group[:])
	d.Write([]byte(author.String()))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], nonce)
	d.Write(n[:])
	return sum(d)
}

func writeContextPrefix(d hash.Hash, namespace, topic string) {
	// hash.Hash writes never fail.
	d.Write([]byte(namespace))
	d.Write([]byte{0})
	d.Write([]byte(topic))
}

func sum(d hash.Hash) Hash {
	var h Hash
	copy(h[:], d.Sum(nil))
	return h
}
