package protocol

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// ErrVerification is wrapped by every *VerifyError: content that contradicts a
// hash it was sent with. A receiver rejects the batch; it never crashes.
var ErrVerification = errors.New("verification failed")

// Reason is a stable, machine-readable rejection reason. Values are part of the
// event schema: never rename one.
type Reason string

// Rejection reasons.
const (
	// ReasonBatchHashMismatch: the manifest does not hash to the pinned batch hash.
	ReasonBatchHashMismatch Reason = "batch-hash-mismatch"
	// ReasonMessageHashMismatch: a message header does not hash to the hash the
	// manifest (or the message itself) claims.
	ReasonMessageHashMismatch Reason = "message-hash-mismatch"
	// ReasonDataHashMismatch: a data item does not hash to the hash the manifest,
	// a message or the item itself claims.
	ReasonDataHashMismatch Reason = "data-hash-mismatch"
	// ReasonDataListHashMismatch: a header's datahash is not the hash of its
	// message's data refs.
	ReasonDataListHashMismatch Reason = "datahash-mismatch"
	// ReasonGroupHashMismatch: a group does not hash to the hash it claims.
	ReasonGroupHashMismatch Reason = "group-hash-mismatch"
	// ReasonManifestMismatch: the batch's messages or data are not the ones its
	// manifest lists (count, order, ids, topics, author, key, namespace, group).
	ReasonManifestMismatch Reason = "manifest-mismatch"
	// ReasonInvalidContent: part of the batch is malformed (RejectionReason's
	// answer for validation errors that are not a VerifyError).
	ReasonInvalidContent Reason = "invalid-content"
)

// VerifyError says which item of a batch failed verification and how.
type VerifyError struct {
	Reason Reason
	// Item is "batch", "message", "data" or "group".
	Item string
	// ID is the item's id (uuid.Nil for a group, which has none).
	ID uuid.UUID
	// Expected is the claimed hash and Actual the recomputed one, for hash
	// mismatches; both zero otherwise.
	Expected, Actual Hash
	// Detail explains a manifest-mismatch.
	Detail string
}

func (e *VerifyError) Error() string {
	subject := e.Item
	if e.ID != uuid.Nil {
		subject += " " + e.ID.String()
	}
	if e.Detail != "" {
		return fmt.Sprintf("%s: %s: %s", e.Reason, subject, e.Detail)
	}
	return fmt.Sprintf("%s: %s: claimed %s, computed %s", e.Reason, subject, e.Expected, e.Actual)
}

// Unwrap lets errors.Is(err, ErrVerification) succeed.
func (e *VerifyError) Unwrap() error { return ErrVerification }

func mismatch(reason Reason, item string, id uuid.UUID, expected, actual Hash) error {
	return &VerifyError{Reason: reason, Item: item, ID: id, Expected: expected, Actual: actual}
}

func manifestMismatch(item string, id uuid.UUID, format string, args ...any) error {
	return &VerifyError{Reason: ReasonManifestMismatch, Item: item, ID: id, Detail: fmt.Sprintf(format, args...)}
}

// RejectionReason maps an error from verifying or parsing a received batch to
// the reason recorded in the rejection event: a *VerifyError's own reason,
// ReasonInvalidContent for anything else.
func RejectionReason(err error) Reason {
	var ve *VerifyError
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return ReasonInvalidContent
}
