package chain

import (
	"context"
	"errors"
	"fmt"
)

// nonceRetries bounds how often one attempt signs a new transaction after
// another sender from the same key took the nonce the last one carried.
const nonceRetries = 5

// Submit prepares the BatchPin transaction for req and sends it, preparing
// a new one when another transaction of the signer took its nonce, for
// callers that keep no record of what they send (benchmarks, tests); the
// node's pins go through a Pinner, which records each transaction before it
// sends it. Errors are those of Prepare and Send.
func Submit(ctx context.Context, s Submitter, req PinRequest) (Submission, error) {
	signed, err := submit(ctx, s, req, nil)
	return signed.Submission, err
}

// submit prepares and sends req's transaction, calling before (when not
// nil) with each signed transaction before it is sent; an error from
// before is returned as is, with nothing sent. A transaction whose nonce
// was taken is replaced by a new one, at most nonceRetries times; then the
// error wraps ErrNonceTaken. The returned SignedPin is the last one signed,
// also when sending it failed.
func submit(ctx context.Context, s Submitter, req PinRequest, before func(SignedPin) error) (SignedPin, error) {
	for attempt := 0; ; attempt++ {
		signed, err := s.Prepare(ctx, req)
		if err != nil {
			return SignedPin{}, err
		}
		if before != nil {
			if err := before(signed); err != nil {
				return signed, err
			}
		}
		err = s.Send(ctx, signed)
		if err == nil {
			return signed, nil
		}
		if !errors.Is(err, ErrNonceTaken) || attempt >= nonceRetries {
			return signed, fmt.Errorf("sending the pin of batch %s: %w", req.BatchID, err)
		}
	}
}
