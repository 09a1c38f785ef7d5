// Package projector keeps a node's search index (projections/search.Index)
// up to date with its event log: one search document per message and per
// data item, replaced whole whenever an event changes what it holds.
//
// # How documents are built
//
// The Runner follows the event store like the read-model projections do,
// but it does not interpret events itself: an event only says which
// documents it touches (a MessageSubmitted its data, a BatchReceived the
// data of the batch, a decision or a revocation its message, a DataStored
// its data item). Each touched
// document is then built from the read model (projections.MessagesTable,
// projections.DataTable), once the read-model projections have applied the
// event. So the index says exactly what the read model says: a message's
// state is the messages projection's, which already keeps a confirmed
// message confirmed when a later copy of it is rejected (a batch pinned
// twice), and its text is the flattened value (search.FlattenJSON) of each
// of its data items that the node holds with the hash the message names.
// The Runner remembers the text of the data items it read recently, so a
// message decided a batch or two after its data arrived takes their text
// without reading and flattening their rows again; an event that touches
// an item makes it forget the item first, so the text is the row's.
//
// A message is indexed once it is decided (confirmed or rejected;
// again if the decision is revoked), not while it waits for its pin: it
// is then indexed once rather than twice, and on a network that confirms
// in milliseconds a pending message is rarely what a search is for. Its
// data items are searchable as soon as the node has them.
//
// A message's Fields are author, tag, topics, type and state; a data item's
// datatype ("name/version") and blob (the blob's hash, hex). Time is when
// the message was created (its header) or when the node first had the data
// item.
//
// # Determinism
//
// A document is a function of read-model rows, and every change to one of
// those rows comes with an event that touches the document. The last such
// event is indexed after the read model has applied it, so by reading the
// row then or later: once the Runner has caught up, every document is built
// from the read model's final rows, whatever the batches and timing were.
// Two nodes, or one node before and after a replay from position 0, have
// the same documents. (The data of a message cannot change under it: a
// data item used by a message keeps its value and its blob.)
//
// # Checkpoint and crashes
//
// The Runner's position is kept in the index itself (Index.SetCheckpoint,
// under the name Name), written after the documents of each batch, or
// with them in one write when the index is a search.CheckpointingIndex
// (Bleve). After a
// crash the Runner starts again from the checkpoint that survived, which
// the index keeps only with the documents written before it; the events
// after it are indexed again, which replaces those documents with the same
// content. Indexing is idempotent, so nothing is lost or doubled. A fresh,
// empty index has no checkpoint and is filled from position 0, which is
// also how a new mapping version or a new Name rebuilds; Name includes the
// names of the read-model projectors the documents come from, so a new
// version of theirs re-indexes too. To build an index beside the serving
// one (a rebuild), give New an empty index: it starts from 0.
//
// Failures of the index or the read model (an Elasticsearch cluster that
// is away) are retried with back-off rather than stopping the node; only
// a closed index ends Run with an error.
package projector
