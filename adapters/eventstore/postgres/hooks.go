package postgres

// testHooks change the store's behaviour in tests. A nil hook does nothing.
type testHooks struct {
	// beforeCommit runs after the transaction's rows are written and before
	// its COMMIT, with every lock the transaction takes still held.
	beforeCommit func()
	// naivePositions makes appends number events from a plain sequence
	// (naive_positions, which the test creates) instead of the store_head
	// counter: the textbook design whose readers skip events, kept so that
	// TestNoSkippedPositions can show its race provokes exactly that.
	naivePositions bool
}

// sqlNaiveInsertEvents is sqlInsertEvents numbered by nextval: concurrent
// transactions draw numbers in one order and commit in another.
const sqlNaiveInsertEvents = `INSERT INTO events (position, id, stream, revision, type, version, recorded, data,
		correlation_id, causation_id, node, namespace)
	SELECT nextval('naive_positions'), r.id, r.stream, r.revision, r.type, r.version, $1, r.data,
		r.correlation_id, r.causation_id, r.node, r.namespace
	FROM unnest($2::bigint[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::int[],
		$8::json[], $9::text[], $10::text[], $11::text[], $12::text[])
		AS r(off, id, stream, revision, type, version, data, correlation_id, causation_id, node, namespace)
	ORDER BY r.off`
