// Package event defines the envelope every fact a node learns or decides is
// stored in, and the event-store port the rest of the domain is written against.
//
// Positions and revisions are 1-based: position 0 and revision 0 mean "before the
// first event", so "read after 0" reads everything and a stream at revision 0 does
// not exist yet.
package event
