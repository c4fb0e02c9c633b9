// Package model holds the GraphQL-only types: those with no domain
// counterpart (payloads, connections, user errors). Generated ones live in
// models_gen.go.
package model

import (
	"time"

	"bayboard/shop"
	"bayboard/store"
)

// ErrorCode is a stable error code (shop's codes).
type ErrorCode string

// UserError is an expected failure of a mutation.
type UserError struct {
	Code    ErrorCode
	Field   []string
	Message string
}

// Node is any record with a global ID. The domain types do not know GraphQL,
// so the interface asks nothing of them; the generated code switches on the
// concrete type.
type Node interface{}

// BoardUpdate is one update of a live feed. It is self-contained (no nested
// loaders), so it is built once per event, not once per subscriber.
type BoardUpdate struct {
	Cursor   string
	Reset    bool
	Kind     *shop.EventKind
	Summary  *string
	At       *time.Time
	OrderID  *shop.OrderID
	JobID    *shop.JobID
	Card     *shop.Card
	Capacity *store.Capacity
}

// BoardSnapshot is the whole board of a site at one moment.
type BoardSnapshot struct {
	SiteName  string
	Cursor    string
	At        time.Time
	Cards     []*shop.Card
	LateCount int
	Capacity  *store.Capacity
	Arrivals  []*shop.Arrival
}
