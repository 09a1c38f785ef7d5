package protocol

import (
	"fmt"

	"github.com/google/uuid"
)

// ParseID reads a UUID in its 36-character lower-case form, the only form the
// protocol writes. uuid.Parse alone also takes braces, "urn:uuid:" and upper
// case, which would give one id several hashed spellings. The nil UUID is
// rejected: an id is always set.
func ParseID(s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 || id.String() != s {
		return uuid.Nil, fmt.Errorf("%q is not a lower-case 36-character UUID", truncate(s))
	}
	if id == uuid.Nil {
		return uuid.Nil, fmt.Errorf("the nil UUID is not an id")
	}
	return id, nil
}

// parseIDField parses an id field of a value of the given kind.
func parseIDField(kind error, field, s string) (uuid.UUID, error) {
	id, err := ParseID(s)
	if err != nil {
		return uuid.Nil, fieldErr(kind, field, "%v", err)
	}
	return id, nil
}
