package projector

// textCacheSize bounds each of textCache's two generations: at 1 KiB of
// text an item, a few MiB, and more than a busy node receives between a
// message's data and its decision (a few seconds at a few hundred
// messages a second).
const textCacheSize = 4096

// textCache remembers the text of data items read in earlier batches, so
// that a message decided later needs neither the row nor FlattenJSON
// again. It is exact, not a guess: every change to a data row comes with
// an event that touches the item's document (see the package doc), and
// Apply forgets the items its events touch before it builds anything, so
// an entry is the row as it was read after the last event that changed
// it. An entry may be older than textCacheSize reads and be dropped; the
// row is then read again. Only Apply uses it, one call at a time.
type textCache struct {
	cur, prev map[docKey]dataText
}

func (c *textCache) get(k docKey) (dataText, bool) {
	if t, ok := c.cur[k]; ok {
		return t, true
	}
	t, ok := c.prev[k]
	if ok {
		c.put(k, t)
	}
	return t, ok
}

// has reports whether get would find k, without get's refreshing of it:
// a look before reading that leaves the cache as it was.
func (c *textCache) has(k docKey) bool {
	_, ok := c.cur[k]
	if !ok {
		_, ok = c.prev[k]
	}
	return ok
}

// put records t, dropping the older generation when the newer is full:
// bounded memory at the price of a map of garbage now and then, cheaper
// than keeping an LRU order on every read.
func (c *textCache) put(k docKey, t dataText) {
	if c.cur == nil || len(c.cur) >= textCacheSize {
		c.prev, c.cur = c.cur, make(map[docKey]dataText, textCacheSize)
	}
	c.cur[k] = t
}

// forget drops k, whose row an event of the batch may have changed.
func (c *textCache) forget(k docKey) {
	delete(c.cur, k)
	delete(c.prev, k)
}
