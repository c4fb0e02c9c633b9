package shop

// Rules every command shares: optimistic versions and idempotency keys.

// MaxIdempotencyKey is the longest idempotency key a client may send.
const MaxIdempotencyKey = 200

// CheckVersion says whether a record of kind at version current may be
// changed by a caller who last saw expected (nil: the caller does not care).
// It returns CONFLICT on expectedVersion when someone else changed it since.
func CheckVersion(kind string, expected *int, current int) error {
	if expected != nil && *expected != current {
		return Conflictf("expectedVersion", "The %s was changed by someone else (now version %d, you had %d); reload it and try again.",
			kind, current, *expected)
	}
	return nil
}

// CheckIdempotencyKey checks the length of an idempotency key ("" is no key).
// It returns INVALID on idempotencyKey.
func CheckIdempotencyKey(key string) error {
	if len(key) > MaxIdempotencyKey {
		return FieldErrorf("idempotencyKey", "An idempotency key has at most %d characters.", MaxIdempotencyKey)
	}
	return nil
}

// CheckKeyReuse says whether a key already used may replay its first result:
// only for the same operation with the same input. It returns CONFLICT on
// idempotencyKey otherwise.
func CheckKeyReuse(sameOperation, sameInput bool) error {
	if !sameOperation || !sameInput {
		return Conflictf("idempotencyKey", "This idempotency key was already used for a different request; use a new key for a new request.")
	}
	return nil
}
