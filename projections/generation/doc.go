// Package generation serves a node's read side from generations and
// rebuilds it into a new one beside the old, which keeps serving until an
// atomic swap.
//
// # Generations
//
// A generation is a complete copy of the read side: one part per
// Component, each with its own files and its own projection runner. The
// read model is the first component (for SQLite, one file per generation:
// readmodel.db for generation 0, so a node from before generations keeps
// its file, then readmodel-1.db, readmodel-2.db, ...); a search index is
// meant to be the next one (Config.Others): a Component whose parts are a
// runner over a search.Index in a directory per generation, built, sealed,
// swapped and removed together with the read model. A search API would read
// through a swappable index the way Store reads the read model.
//
// A small pointer file (<read model path>.generation, JSON) names the
// serving generation, the one being built, and a retired one whose files
// are not removed yet. It is replaced atomically (temp file, fsync, rename,
// fsync of the directory), so after a crash it names either the old or the
// new generation, never a mix. No pointer file means generation 0 serves.
//
// # Serving
//
// Set opens the serving generation, runs its runners (Run) and serves its
// read model through Store, a projections.Store that sends each call to the
// generation serving when the call starts: the API needs no change. A call
// holds its generation (a read lock) until it returns, so a swap closes the
// old generation only once the reads in progress are over.
//
// # Rebuilding
//
// Set.Start (POST /api/v1/admin/rebuild) rebuilds while the node serves;
// Rebuild (`ledgermirror rebuild`) rebuilds a stopped node's read side up
// to the head of its log. Either records the new generation as building in
// the pointer file, opens it with its bulk load on (the SQLite read model
// defers its secondary indexes, the runner commits 10,000 events per
// transaction), and runs its runners from position 0. Every tick it
// measures the position (the least of every projector's), the log's head,
// the rate (a moving average over about 5 s) and the ETA. Once the new
// generation has caught up (with the serving one; offline, with the head)
// it is sealed (its deferred indexes are built) and, caught up again, it
// is swapped in: the pointer file names it (the commit point), Store turns
// to it, the old runners stop, the old generation is closed once its reads
// are over and its files removed. Its runners go on as the serving ones.
// One rebuild runs at a time (ErrRunning otherwise).
//
// # Crashes
//
// A rebuild that does not reach its swap (the node stops or crashes, the
// context ends, a runner fails) leaves the old generation serving: the
// pointer file still names it. The partial generation is kept and resumed,
// not discarded: its rows and checkpoints were committed together, so the
// next rebuild (Start or Rebuild) opens it and its runners continue from
// its checkpoints. A partial generation that no longer opens (a binary with
// other table declarations since, a damaged file) is removed and rebuilt
// from position 0. A crash between the swap and the removal of the old
// files leaves the retired generation in the pointer file; the next Open
// removes it.
//
// # One projection
//
// A rebuild can name one projector (--projection, ?projection=), but a
// generation is one file per component and the rows of one projector
// cannot be carried over from the old file through the projections.Store
// port (it returns documents, not rows). So every projector is rebuilt; the
// name is checked and reported in the status, nothing more. A projector
// whose output changes gets a new name (its checkpoint key) and replays
// from position 0 in the serving generation anyway; a rebuild is for a
// read model that must be rebuilt whole, such as one whose table
// declarations changed (the SQLite adapter refuses to open it,
// ErrSchemaChanged) or one suspected of damage.
package generation
