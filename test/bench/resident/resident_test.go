package resident

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseVmHWM(t *testing.T) {
	mb, err := parseVmHWM([]byte("Name:\tlm\nVmPeak:\t 999 kB\nVmHWM:\t  524288 kB\nVmRSS:\t 1 kB\n"))
	require.NoError(t, err)
	assert.InDelta(t, 512.0, mb, 1e-9)
	_, err = parseVmHWM([]byte("VmRSS:\t 1 kB\n"))
	assert.ErrorContains(t, err, "no VmHWM line")
	_, err = parseVmHWM([]byte("VmHWM:\t lots\n"))
	assert.ErrorContains(t, err, "unexpected VmHWM line")
	_, err = parseVmHWM([]byte("VmHWM:\t 12 MB\n"))
	assert.ErrorContains(t, err, "unexpected VmHWM line")
}

func TestStatusKB(t *testing.T) {
	status := []byte("RssAnon:\t  2048 kB\nRssFile:\t 10 kB\n")
	kb, ok, err := statusKB(status, "RssFile:")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, uint64(10), kb)
	_, ok, err = statusKB(status, "RssShmem:")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestSamplerOnLinux(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/status")
	}
	mb, err := PeakMiB()
	require.NoError(t, err)
	assert.Positive(t, mb)

	s := Start(time.Millisecond, true)
	hold := make([][]byte, 0, 64)
	for range 64 {
		hold = append(hold, make([]byte, 1<<20)) // 64 MiB live
	}
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	p := s.Stop()
	runtime.KeepAlive(hold)
	assert.Positive(t, p.AnonMiB)
	assert.GreaterOrEqual(t, p.HeapLiveMiB, 64.0)
	assert.GreaterOrEqual(t, p.GoMiB, p.HeapLiveMiB)
	assert.NotEmpty(t, p.HeapProfile)
	assert.Equal(t, p, s.Stop(), "a second Stop returns the same peaks")
}

func TestStopProfilesWhenNoSampleDid(t *testing.T) {
	// As if no collection ever ran while sampling: no sample kept a profile.
	s := &Sampler{profile: true, stop: make(chan struct{}), done: make(chan struct{})}
	close(s.done)
	assert.NotEmpty(t, s.Stop().HeapProfile, "a profile of the end rather than an empty file")
}
