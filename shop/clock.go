package shop

import "time"

// LateOrderEvent is the clock's event for order o, in the workshop and past
// its promised time without being ready: once per order, for the board and
// the advisor.
func LateOrderEvent(o *Order) Event {
	return eventOnOrder(o.SiteID, o, EventOrderLate, nil, "Past the promised time "+o.PromisedAt.UTC().Format(time.RFC3339)+" and not ready")
}
