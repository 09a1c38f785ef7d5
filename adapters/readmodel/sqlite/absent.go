package sqlite

import (
	"encoding/binary"
	"hash/maphash"
)

// putKeys remembers, approximately, every key put into the tables this
// Store created empty, so that a Get of a key never put answers "not
// found" without asking SQLite. Projectors look a row up before its first
// Put (is this message, this data item, already known?), and while a new
// read model is filled (a rebuild, a new node catching up) nearly every
// such lookup misses: each was a B-tree search for nothing, about a sixth
// of a rebuild's time.
//
// It is a Bloom filter, grown by adding layers (a scalable Bloom filter):
// it can say "maybe" for a key never put, which only costs the lookup it
// would have made anyway, and never says "no" for one that was. Nothing
// deletes rows, and a Put that is rolled back only leaves a "maybe" behind,
// so it stays right for the Store's life. Only the writer's transactions
// use it, one at a time (the writer token), so it needs no lock.
type putKeys struct {
	seed   maphash.Seed
	h      maphash.Hash
	layers []bloomLayer
	bytes  int
	max    int // bound on bytes
}

type bloomLayer struct {
	bits  []uint64
	mask  uint64 // number of bits - 1 (a power of two)
	keys  int
	limit int // keys it holds before the next layer starts
}

const (
	// bloomProbes and bloomBitsPerKey give each layer about a 1% false
	// positive rate when full.
	bloomProbes     = 7
	bloomBitsPerKey = 10
	// firstLayerBits is the first layer's size, 128 KiB; each next one is
	// twice the last.
	firstLayerBits = 1 << 20
	// maxPutKeysBytes bounds the filter: past ~13 million keys it is
	// dropped and every Get asks SQLite, as before.
	maxPutKeysBytes = 16 << 20
)

func newPutKeys(maxBytes int) *putKeys {
	k := &putKeys{seed: maphash.MakeSeed(), max: maxBytes}
	k.h.SetSeed(k.seed)
	return k
}

// hash mixes a row's table, namespace and encoded key (string or int64).
func (k *putKeys) hash(table int, ns string, key any) uint64 {
	k.h.Reset()
	var b [9]byte
	b[0] = byte(table)
	k.h.Write(b[:1])
	k.h.WriteString(ns)
	switch v := key.(type) {
	case string:
		b[0] = 's'
		k.h.Write(b[:1])
		k.h.WriteString(v)
	case int64:
		b[0] = 'i'
		binary.LittleEndian.PutUint64(b[1:], uint64(v))
		k.h.Write(b[:])
	}
	return k.h.Sum64()
}

// add records a key. It reports false when the filter has grown past its
// bound and must be dropped.
func (k *putKeys) add(h uint64) bool {
	if n := len(k.layers); n == 0 || k.layers[n-1].keys >= k.layers[n-1].limit {
		size := uint64(firstLayerBits) << n
		if k.bytes+int(size/8) > k.max {
			return false
		}
		k.layers = append(k.layers, bloomLayer{bits: make([]uint64, size/64), mask: size - 1, limit: int(size / bloomBitsPerKey)})
		k.bytes += int(size / 8)
	}
	l := &k.layers[len(k.layers)-1]
	l.keys++
	h1, h2 := h, h>>32|1
	for i := range uint64(bloomProbes) {
		bit := (h1 + i*h2) & l.mask
		l.bits[bit/64] |= 1 << (bit % 64)
	}
	return true
}

// mayHave reports whether the key of hash h may have been added.
func (k *putKeys) mayHave(h uint64) bool {
	h1, h2 := h, h>>32|1
layers:
	for i := range k.layers {
		l := &k.layers[i]
		for j := range uint64(bloomProbes) {
			bit := (h1 + j*h2) & l.mask
			if l.bits[bit/64]&(1<<(bit%64)) == 0 {
				continue layers
			}
		}
		return true
	}
	return false
}
