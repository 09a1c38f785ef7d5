package search

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

func testInvalidQuery(t *testing.T, e *env) {
	corpus(t, e)
	for _, q := range []string{`"unterminated`, `nope:x`, `please:`, `*`, `-`, `a*b`, `foo"bar`, `""`, `!!!`, `tag:`, "\xff"} {
		_, err := e.idx.Search(context.Background(), search.Request{Namespace: ns1, Query: q})
		assert.ErrorIs(t, err, search.ErrInvalidQuery, "query %q", q)
	}
	for name, r := range map[string]search.Request{
		"no namespace":  {Query: "fox"},
		"bad namespace": {Namespace: "a b", Query: "fox"},
		"bad kind":      {Namespace: ns1, Kind: "blobs", Query: "fox"},
		"negative skip": {Namespace: ns1, Query: "fox", Skip: -1},
		"huge limit":    {Namespace: ns1, Query: "fox", Limit: search.MaxLimit + 1},
		"past window":   {Namespace: ns1, Query: "fox", Skip: search.MaxWindow},
	} {
		_, err := e.idx.Search(context.Background(), r)
		assert.ErrorIs(t, err, search.ErrInvalidQuery, name)
	}
}

func testInvalidDocument(t *testing.T, e *env) {
	good := e.doc(ns1, search.Messages, "good", "valid words", nil)
	for name, bad := range map[string]search.Document{
		"bad id":        {Namespace: ns1, Kind: search.Messages, ID: "x", Text: "t"},
		"no namespace":  {Kind: search.Messages, ID: good.ID},
		"bad kind":      {Namespace: ns1, Kind: "blobs", ID: good.ID},
		"unknown field": {Namespace: ns1, Kind: search.Messages, ID: good.ID, Fields: map[string][]string{"colour": {"red"}}},
		"other kind's":  {Namespace: ns1, Kind: search.Data, ID: good.ID, Fields: map[string][]string{"author": {"a"}}},
	} {
		err := e.idx.Index(context.Background(), good, bad)
		assert.ErrorIs(t, err, search.ErrInvalidDocument, name)
	}
	require.NoError(t, e.idx.Flush(context.Background()))
	e.expect(t, ns1, "", map[string][]string{"valid": nil})
}

func testCancelled(t *testing.T, e *env) {
	corpus(t, e)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.idx.Search(ctx, search.Request{Namespace: ns1, Query: "fox"})
	assert.ErrorIs(t, err, context.Canceled)
	err = e.idx.Index(ctx, e.doc(ns1, search.Messages, "late", "late words", nil))
	assert.ErrorIs(t, err, context.Canceled)
	require.NoError(t, e.idx.Flush(context.Background()))
	e.expect(t, ns1, "", map[string][]string{"late": nil, "fox": {"fox", "dog"}})
}

func testClose(t *testing.T, e *env) {
	ctx := context.Background()
	corpus(t, e)
	require.NoError(t, e.idx.Close())
	require.NoError(t, e.idx.Close(), "Close is idempotent")
	_, err := e.idx.Search(ctx, search.Request{Namespace: ns1, Query: "fox"})
	assert.ErrorIs(t, err, search.ErrClosed)
	assert.ErrorIs(t, e.idx.Index(ctx, e.doc(ns1, search.Messages, "x", "x", nil)), search.ErrClosed)
	assert.ErrorIs(t, e.idx.Delete(ctx, ns1, search.Messages, e.id("fox")), search.ErrClosed)
	assert.ErrorIs(t, e.idx.Flush(ctx), search.ErrClosed)
}

func testConcurrent(t *testing.T, e *env) {
	ctx := context.Background()
	corpus(t, e)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 3 {
		docs := make([]search.Document, 10) // built here: env is not safe for concurrent use
		for i := range docs {
			docs[i] = e.doc(ns1, search.Messages, fmt.Sprintf("w%d-%d", w, i), "concurrent words", nil)
		}
		wg.Go(func() {
			for _, d := range docs {
				if err := e.idx.Index(ctx, d); err != nil {
					errs <- err
				}
			}
		})
		wg.Go(func() {
			for range 10 {
				if _, err := e.idx.Search(ctx, search.Request{Namespace: ns1, Query: "fox"}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	require.NoError(t, e.idx.Flush(ctx))
	res := e.search(t, search.Request{Namespace: ns1, Query: "concurrent"})
	assert.Equal(t, 30, res.Total)
}
