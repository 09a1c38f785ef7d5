package search

import "fmt"

// MaxCheckpointNameLength bounds a checkpoint name.
const MaxCheckpointNameLength = 64

// ValidateCheckpointName checks a projector's checkpoint name: 1 to
// MaxCheckpointNameLength characters of [a-z0-9._-] ("search.v1"), which
// every engine can use as a key. Errors wrap ErrInvalidDocument.
func ValidateCheckpointName(name string) error {
	if name == "" || len(name) > MaxCheckpointNameLength {
		return fmt.Errorf("%w: checkpoint name %q must be 1 to %d characters", ErrInvalidDocument, name, MaxCheckpointNameLength)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '_' && c != '-' {
			return fmt.Errorf("%w: checkpoint name %q may only contain a-z 0-9 . _ -", ErrInvalidDocument, name)
		}
	}
	return nil
}
