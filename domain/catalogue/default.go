package catalogue

// Default is the catalogue this version of the node reads and writes. Adding a
// version of an event means bumping its number here and registering the
// upcaster from the previous version beside it.
func Default() *Catalogue {
	c := New()
	for _, p := range []Payload{
		IdentityRegistered{}, DatatypeDefined{}, DataStored{}, MessageSubmitted{},
		BatchSealed{}, BatchDispatched{}, BatchReceived{},
		PinSubmitted{}, PinObserved{}, PinRemoved{}, ChainCheckpoint{},
		MessageConfirmed{}, MessageRejected{},
		GroupKnown{}, DataReceived{}, BlobReceived{},
		PinParked{}, PinUnparked{}, DecisionRevoked{}, PinFailed{},
		OperationRecorded{}, PeerRefused{},
		SubscriptionCreated{}, SubscriptionUpdated{}, SubscriptionDeleted{}, SubscriptionOffsetCommitted{},
		SubscriptionDeadLettered{}, SubscriptionRedriven{}, SubscriptionResumed{},
	} {
		c.Register(p, 1)
	}
	return c
}
