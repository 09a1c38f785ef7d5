package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// maxCachedStreams bounds the revision cache. Streams are per aggregate and
// most are written a few times close together, so a modest cache catches
// nearly every repeat append. The most numerous, a message's stream, is
// written once (MessageSubmitted), so its entries are pure cost: at 64Ki
// streams the three members of a 100,000-message e2e run held ~8 MB of
// them; 8Ki still covers seconds of batches and decisions at 1,000
// messages a second.
const maxCachedStreams = 8 << 10

// revisionCache holds the current revision of recently written streams. Only
// the writer uses it. When a transaction fails the whole cache is dropped
// (the writer reloads its state), so no value of a rolled-back transaction
// survives; eviction happens only between transactions, so a stream with
// rows in the insert buffer is always cached.
type revisionCache struct {
	st *writerStatements
	m  map[string]event.Revision
}

func (c *revisionCache) init(st *writerStatements) {
	c.st = st
	c.m = make(map[string]event.Revision)
}

// get returns the stream's current revision, reading the file on a miss.
func (c *revisionCache) get(stream string) (event.Revision, error) {
	if rev, ok := c.m[stream]; ok {
		return rev, nil
	}
	var rev int64
	err := c.st.streamRevision.QueryRowContext(context.Background(), stream).Scan(&rev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	c.m[stream] = event.Revision(rev)
	return event.Revision(rev), nil
}

func (c *revisionCache) set(stream string, rev event.Revision) { c.m[stream] = rev }

// committed ends the transaction and evicts arbitrary entries (map iteration
// order is random) down to the bound.
func (c *revisionCache) committed() {
	for k := range c.m {
		if len(c.m) <= maxCachedStreams {
			break
		}
		delete(c.m, k)
	}
}

func (c *revisionCache) reset() { clear(c.m) }
