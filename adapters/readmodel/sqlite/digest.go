package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"

	"github.com/ledgermirror/ledgermirror/projections/query"
)

// digestVersion starts every digest, so that a change of the encoding
// below cannot be mistaken for a change of the data.
const digestVersion = "ledgermirror read model digest v1\n"

// Digest implements projections.Store: SHA-256, in lower-case hex, of one
// read snapshot of every table given to Open and of the checkpoints.
//
// The bytes hashed depend on the values, not on how SQLite stores them, so
// another adapter can produce the same digest: the version line, then for
// each table in name order 'T', its name, its field count and each field's
// name and type number; each row in (namespace, key) order as 'R', each
// field's value (0 for NULL; else 1 and the value) and the document; then
// 'C', the checkpoint count and each checkpoint in projector name order.
// Strings and documents are a uvarint length and the bytes; Int, Time (Unix
// nanoseconds) and positions are 8 bytes big-endian; UUIDs and hashes their
// 16 and 32 bytes; Bool one byte; a string list its uvarint length and its
// strings.
func (s *Store) Digest(ctx context.Context) (string, error) {
	if s.closed.Load() {
		return "", ErrClosed
	}
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		return "", s.readErr(ctx, err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return "", s.readErr(ctx, err)
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), "ROLLBACK") }()
	d := digester{h: sha256.New()}
	d.h.Write([]byte(digestVersion))
	for _, t := range s.tables {
		if err := d.table(ctx, conn, t); err != nil {
			return "", s.readErr(ctx, err)
		}
	}
	if err := d.checkpoints(ctx, conn); err != nil {
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

func (d *digester) str(s string) {
	d.buf = binary.AppendUvarint(d.buf, uint64(len(s)))
	d.buf = append(d.buf, s...)
}

func (d *digester) bytes(b []byte) {
	d.buf = binary.AppendUvarint(d.buf, uint64(len(b)))
	d.buf = append(d.buf, b...)
}

func (d *digester) table(ctx context.Context, conn *sql.Conn, t *table) error {
	d.buf = append(d.buf, 'T')
	d.str(t.name)
	d.buf = binary.AppendUvarint(d.buf, uint64(len(t.cols)))
	for _, c := range t.cols {
		d.str(c.name)
		d.buf = binary.AppendUvarint(d.buf, uint64(c.typ)) //nolint:gosec // a small positive enum
	}
	d.flush()
	rows, err := conn.QueryContext(ctx, t.scanSQL)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	cells := make([]any, len(t.cols)+1)
	for i, c := range t.cols {
		if sqlType(c.typ) == "INTEGER" {
			cells[i] = new(sql.NullInt64)
		} else {
			cells[i] = new(sql.NullString)
		}
	}
	doc := new(sql.RawBytes)
	cells[len(t.cols)] = doc
	for rows.Next() {
		if err := rows.Scan(cells...); err != nil {
			return err
		}
		d.buf = append(d.buf, 'R')
		for i, c := range t.cols {
			if err := d.cell(c, cells[i]); err != nil {
				return fmt.Errorf("table %s, field %s: %w", t.name, c.name, err)
			}
		}
		d.bytes(*doc)
		d.flush()
	}
	return rows.Err()
}

func (d *digester) cell(c column, cell any) error {
	if n, ok := cell.(*sql.NullInt64); ok {
		if !n.Valid {
			d.buf = append(d.buf, 0)
			return nil
		}
		d.buf = append(d.buf, 1)
		if c.typ == query.Bool {
			d.buf = append(d.buf, byte(n.Int64&1))
			return nil
		}
		d.buf = binary.BigEndian.AppendUint64(d.buf, uint64(n.Int64)) //nolint:gosec // the two's complement bits are the encoding
		return nil
	}
	s, _ := cell.(*sql.NullString)
	if !s.Valid {
		d.buf = append(d.buf, 0)
		return nil
	}
	d.buf = append(d.buf, 1)
	switch c.typ {
	case query.UUID:
		u, err := parseUUID(s.String)
		if err != nil {
			return err
		}
		d.buf = append(d.buf, u[:]...)
	case query.Hash:
		var h [32]byte
		if n, err := hex.Decode(h[:], []byte(s.String)); err != nil || n != 32 {
			return fmt.Errorf("stored hash %q is malformed", s.String)
		}
		d.buf = append(d.buf, h[:]...)
	case query.StringList:
		l, err := parseList(s.String)
		if err != nil {
			return err
		}
		d.buf = binary.AppendUvarint(d.buf, uint64(len(l)))
		for _, e := range l {
			d.str(e)
		}
	default:
		d.str(s.String)
	}
	return nil
}

func (d *digester) checkpoints(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "SELECT projector, position FROM checkpoints ORDER BY projector")
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
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
