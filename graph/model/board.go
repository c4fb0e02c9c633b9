package model

import (
	"time"

	"bayboard/shop"
	"bayboard/store"
)

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

// BoardSnapshot is the whole board of a site at one moment. Its site name,
// capacity and arrivals have resolvers of their own, so they are read only
// when a client asks for them.
type BoardSnapshot struct {
	SiteID    shop.SiteID
	Cursor    string
	At        time.Time
	Cards     []*shop.Card
	LateCount int
}
