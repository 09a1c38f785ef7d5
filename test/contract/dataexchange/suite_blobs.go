package dataexchange

import (
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// blobSize is large enough that holding the blob anywhere would show.
const blobSize = 20 << 20

// generated returns the blob the seed generates, as an opener that counts
// its calls, with its hash.
func generated(t *testing.T, seed byte, size int64) (func() (io.ReadCloser, error), *atomic.Int32, protocol.Hash) {
	t.Helper()
	reader := func() io.Reader {
		return io.LimitReader(rand.NewChaCha8([32]byte{seed}), size)
	}
	h := sha256.New()
	_, err := io.Copy(h, reader())
	require.NoError(t, err)
	var opened atomic.Int32
	return func() (io.ReadCloser, error) {
		opened.Add(1)
		return io.NopCloser(reader()), nil
	}, &opened, protocol.Hash(h.Sum(nil))
}

func testBlobStreamed(t *testing.T, h Harness) {
	e := start(t, h)
	open, opened, hash := generated(t, 1, blobSize)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	require.NoError(t, e.A.Transport.SendBlob(ctx(t), e.B.Peer, "default", hash, blobSize, open))
	runtime.ReadMemStats(&after)

	assert.Equal(t, int32(1), opened.Load(), "open is called once per attempt")
	got := e.b.Blobs()
	require.Len(t, got, 1, "SendBlob returns once the peer has recorded the blob")
	assert.Equal(t, Blob{From: e.A.DID, Namespace: "default", Hash: hash, Size: blobSize}, got[0])
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(blobSize/2), "the blob is streamed, not held: %d bytes allocated for a %d-byte blob", allocated, blobSize)
	t.Logf("%d MiB blob: %d KiB allocated on both sides", blobSize>>20, allocated>>10)
}

func testEmptyBlob(t *testing.T, h Harness) {
	e := start(t, h)
	open, _, hash := generated(t, 2, 0)
	require.NoError(t, e.A.Transport.SendBlob(ctx(t), e.B.Peer, "ns-2", hash, 0, open))
	assert.Equal(t, []Blob{{From: e.A.DID, Namespace: "ns-2", Hash: hash, Size: 0}}, e.b.Blobs())
}

func testTamperedBlob(t *testing.T, h Harness) {
	e := start(t, h)
	_, _, claimed := generated(t, 3, 1<<20)
	other, _, _ := generated(t, 4, 1<<20)
	err := e.A.Transport.SendBlob(ctx(t), e.B.Peer, "default", claimed, 1<<20, other)
	assertRefused(t, err, "bytes that do not hash to the declared hash")
	assert.Empty(t, e.b.Blobs(), "nothing recorded")
}
