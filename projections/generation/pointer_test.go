package generation

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPath(t *testing.T) {
	for _, tc := range []struct {
		base string
		n    uint64
		want string
	}{
		{"data/readmodel.db", 0, "data/readmodel.db"},
		{"data/readmodel.db", 1, "data/readmodel-1.db"},
		{"data/readmodel.db", 12, "data/readmodel-12.db"},
		{"data/rm", 3, "data/rm-3"},
		{"/srv/a.b/read.model.sqlite", 2, "/srv/a.b/read.model-2.sqlite"},
	} {
		assert.Equal(t, tc.want, Path(tc.base, tc.n), "%s %d", tc.base, tc.n)
	}
}

func TestPointerRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "readmodel.db.generation")
	p, err := readPointer(path)
	require.NoError(t, err)
	assert.Equal(t, pointer{}, p, "no file: generation 0 serves")

	two, three := uint64(2), uint64(3)
	want := pointer{Serving: 1, Building: &two, Retired: &three}
	require.NoError(t, writePointer(path, want))
	got, err := readPointer(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	require.NoError(t, writePointer(path, pointer{Serving: 2}))
	got, err = readPointer(path)
	require.NoError(t, err)
	assert.Equal(t, pointer{Serving: 2}, got)
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temp file left behind")
}

func TestDecodePointerRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"empty":            ``,
		"not JSON":         `serving=1`,
		"unknown field":    `{"serving":1,"next":2}`,
		"negative":         `{"serving":-1}`,
		"trailing data":    `{"serving":1} {}`,
		"building serving": `{"serving":1,"building":1}`,
		"retired serving":  `{"serving":1,"retired":1}`,
		"string":           `{"serving":"1"}`,
	} {
		_, err := decodePointer([]byte(in))
		assert.ErrorIs(t, err, ErrBadPointer, name)
	}
}

func FuzzDecodePointer(f *testing.F) {
	for _, seed := range []string{`{"serving":0}`, `{"serving":3,"building":4}`, `{"serving":3,"retired":2}`, `{`, `null`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePointer(b)
		if err != nil {
			assert.ErrorIs(t, err, ErrBadPointer)
			return
		}
		if p.Building != nil {
			assert.NotEqual(t, p.Serving, *p.Building)
		}
		if p.Retired != nil {
			assert.NotEqual(t, p.Serving, *p.Retired)
		}
	})
}

func TestProgressRateAndETA(t *testing.T) {
	p := newProgress(Status{State: StateRunning}, nil)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.observe(0, 10_000, t0)
	st := p.snapshot()
	assert.Zero(t, st.Rate, "no rate from one measurement")
	assert.Nil(t, st.ETASeconds)

	p.observe(1000, 10_000, t0.Add(time.Second))
	st = p.snapshot()
	assert.InDelta(t, 1000, st.Rate, 1e-9, "the first rate is the measured one")
	require.NotNil(t, st.ETASeconds)
	assert.InDelta(t, 9, *st.ETASeconds, 1e-9)

	// A faster second moves the average towards it, not all the way.
	p.observe(4000, 10_000, t0.Add(2*time.Second))
	st = p.snapshot()
	assert.Greater(t, st.Rate, 1000.0)
	assert.Less(t, st.Rate, 3000.0)

	p.finish(StateDone, nil, t0.Add(3*time.Second))
	st = p.snapshot()
	assert.Equal(t, StateDone, st.State)
	assert.Nil(t, st.ETASeconds)
	require.NotNil(t, st.Finished)
}
