package subscription

import (
	"errors"
	"fmt"
)

// Errors of this package and of the ports it declares. The API maps them
// to 400, 404, 409 and 502.
var (
	// ErrInvalid: a subscription or stream request breaks a rule.
	ErrInvalid = errors.New("invalid subscription")
	// ErrNotFound: no subscription of that name in the namespace (or it was
	// deleted).
	ErrNotFound = errors.New("subscription not found")
	// ErrExists: a subscription of that name exists already.
	ErrExists = errors.New("subscription exists")
	// ErrNotInFlight: an ack names an event that is not awaiting one.
	ErrNotInFlight = errors.New("event not in flight")
	// ErrTakenOver: another consumer started the same named subscription;
	// this stream ended so that delivery stays in order.
	ErrTakenOver = errors.New("subscription taken over by another consumer")
	// ErrDeliveryFailed: an outbound delivery (a redrive) did not reach
	// its receiver; the API answers 502.
	ErrDeliveryFailed = errors.New("delivery failed")
)

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
}
