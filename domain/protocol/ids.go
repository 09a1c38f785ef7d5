package protocol

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
)

// ParseID reads a UUID in its 36-character lower-case form, the only form the
// protocol writes. uuid.Parse alone also takes braces, "urn:uuid:" and upper
// case, which would give one id several hashed spellings. The nil UUID is
// rejected: an id is always set.
func ParseID(s string) (uuid.UUID, error) {
	id, ok := parseCanonicalUUID(s)
	if !ok {
		return uuid.Nil, fmt.Errorf("%q is not a lower-case 36-character UUID", truncate(s))
	}
	if id == uuid.Nil {
		return uuid.Nil, fmt.Errorf("the nil UUID is not an id")
	}
	return id, nil
}

// uuidDashes are where the 36-character form has its dashes.
var uuidDashes = [...]int{8, 13, 18, 23}

// parseCanonicalUUID accepts exactly what uuid.Parse accepts and writes back
// unchanged: 36 characters, dashes at 8, 13, 18 and 23, lower-case hex
// elsewhere. Checking that directly saves formatting every parsed id.
func parseCanonicalUUID(s string) (uuid.UUID, bool) {
	var id uuid.UUID
	if len(s) != 36 {
		return id, false
	}
	j, dash := 0, 0
	for i := 0; i < len(s); {
		if dash < len(uuidDashes) && i == uuidDashes[dash] {
			if s[i] != '-' {
				return id, false
			}
			i++
			dash++
			continue
		}
		hi, lo := lowerHexValue[s[i]], lowerHexValue[s[i+1]]
		if (hi|lo)&notHex != 0 {
			return id, false
		}
		id[j] = hi<<4 | lo
		i += 2
		j++
	}
	return id, true
}

// appendUUID writes id in its 36-character lower-case form, as id.String()
// does, without allocating.
func appendUUID(dst []byte, id uuid.UUID) []byte { return jsonappend.UUIDText(dst, id) }

// parseIDField parses an id field of a value of the given kind.
func parseIDField(kind error, field, s string) (uuid.UUID, error) {
	id, err := ParseID(s)
	if err != nil {
		return uuid.Nil, fieldErr(kind, field, "%v", err)
	}
	return id, nil
}
