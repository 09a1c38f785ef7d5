package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ledgermirror/ledgermirror/projections/query"
)

// digestVersion starts every digest, so that a change of the encoding
// below cannot be mistaken for a change of the data. It is the SQLite
// adapter's: both hash the same bytes.
const digestVersion = "ledgermirror read model digest v1\n"

// Digest implements projections.Store: SHA-256, in lower-case hex, of one
// repeatable-read snapshot of every table given to Open and of the
// checkpoints.
//
// The bytes hashed are those the SQLite adapter hashes (they depend on the
// values only), so the two adapters give one digest for one read model: the
// version line, then for each table in name order 'T', its name, its field
// count and each field's name and type number; each row in (namespace, key)
// order as 'R', each field's value (0 for NULL; else 1 and the value) and
// the document; then 'C', the checkpoint count and each checkpoint in
// projector name order. Strings and documents are a uvarint length and the
// bytes; Int, Time (Unix nanoseconds) and positions are 8 bytes big-endian;
// UUIDs and hashes their 16 and 32 bytes; Bool one byte; a string list its
// uvarint length and its strings. bytea and uuid order by their bytes, as
// SQLite's text encodings of them do, so rows come in the same order.
func (s *Store) Digest(ctx context.Context) (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	d := digester{h: sha256.New()}
	d.h.Write([]byte(digestVersion))
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		for _, t := range s.tables {
			if err := d.table(ctx, tx, t); err != nil {
				return err
			}
		}
		return d.checkpoints(ctx, tx)
	})
	if err != nil {
		return "", s.readErr(ctx, err)
	}
	return hex.EncodeToString(d.h.Sum(nil)), nil
}

type digester struct {
	h   hash.Hash
	buf []byte
}

func (d *digester) flush() {
	d.h.Write(d.buf)
	d.buf = d.buf[:0]
}

func (d *digester) bytes(b []byte) {
	d.buf = binary.AppendUvarint(d.buf, uint64(len(b)))
	d.buf = append(d.buf, b...)
}

// cellFor is the scan destination of a column of type t.
func cellFor(t query.Type) any {
	switch t {
	case query.Enum:
		return new(pgtype.Text)
	case query.Int, query.Time:
		return new(pgtype.Int8)
	case query.UUID:
		return new(pgtype.UUID)
	case query.Bool:
		return new(pgtype.Bool)
	case query.StringList:
		return new(pgtype.FlatArray[[]byte])
	}
	return new([]byte) // String, Hash: nil for NULL
}

func (d *digester) table(ctx context.Context, tx pgx.Tx, t *table) error {
	d.buf = append(d.buf, 'T')
	d.bytes([]byte(t.name))
	d.buf = binary.AppendUvarint(d.buf, uint64(len(t.cols)))
	for _, c := range t.cols {
		d.bytes([]byte(c.name))
		d.buf = binary.AppendUvarint(d.buf, uint64(c.typ)) //nolint:gosec // a small positive enum
	}
	d.flush()
	rows, err := tx.Query(ctx, t.scanSQL)
	if err != nil {
		return err
	}
	defer rows.Close()
	cells := make([]any, len(t.cols)+1)
	for i, c := range t.cols {
		cells[i] = cellFor(c.typ)
	}
	doc := new([]byte) // the json column's text as stored
	cells[len(t.cols)] = doc
	for rows.Next() {
		// A list's NULL and '{}' both scan to an empty FlatArray: tell them
		// apart by the raw value, which is nil for NULL.
		raw := rows.RawValues()
		nullList := make([]bool, len(t.cols))
		for i := range t.cols {
			nullList[i] = raw[i] == nil
		}
		if err := rows.Scan(cells...); err != nil {
			return err
		}
		d.buf = append(d.buf, 'R')
		for i, c := range t.cols {
			if err := d.cell(c, cells[i], nullList[i]); err != nil {
				return fmt.Errorf("table %s, field %s: %w", t.name, c.name, err)
			}
		}
		d.bytes(*doc)
		d.flush()
	}
	return rows.Err()
}

func (d *digester) cell(c column, cell any, null bool) error {
	if null {
		d.buf = append(d.buf, 0)
		return nil
	}
	d.buf = append(d.buf, 1)
	switch v := cell.(type) {
	case *[]byte:
		if c.typ == query.Hash && len(*v) != 32 {
			return fmt.Errorf("stored hash of %d bytes", len(*v))
		}
		if c.typ == query.Hash {
			d.buf = append(d.buf, *v...)
		} else {
			d.bytes(*v)
		}
	case *pgtype.Text:
		d.bytes([]byte(v.String))
	case *pgtype.Int8:
		d.buf = binary.BigEndian.AppendUint64(d.buf, uint64(v.Int64)) //nolint:gosec // the two's complement bits are the encoding
	case *pgtype.UUID:
		d.buf = append(d.buf, v.Bytes[:]...)
	case *pgtype.Bool:
		if v.Bool {
			d.buf = append(d.buf, 1)
		} else {
			d.buf = append(d.buf, 0)
		}
	case *pgtype.FlatArray[[]byte]:
		d.buf = binary.AppendUvarint(d.buf, uint64(len(*v)))
		for _, e := range *v {
			d.bytes(e)
		}
	default:
		return fmt.Errorf("no digest encoding for %T", cell)
	}
	return nil
}

func (d *digester) checkpoints(ctx context.Context, tx pgx.Tx) error {
	// COLLATE "C": the projector names in byte order, as SQLite sorts them.
	rows, err := tx.Query(ctx, `SELECT projector, position FROM checkpoints ORDER BY projector COLLATE "C"`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var body []byte
	n := 0
	for rows.Next() {
		var name string
		var pos int64
		if err := rows.Scan(&name, &pos); err != nil {
			return err
		}
		body = binary.AppendUvarint(body, uint64(len(name)))
		body = append(body, name...)
		body = binary.BigEndian.AppendUint64(body, uint64(pos)) //nolint:gosec // positions are stored non-negative
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	d.buf = append(d.buf, 'C')
	d.buf = binary.AppendUvarint(d.buf, uint64(n)) //nolint:gosec // a count
	d.buf = append(d.buf, body...)
	d.flush()
	return nil
}
