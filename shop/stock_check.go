package shop

import "fmt"

// The stock invariants, checked over a snapshot of the books. They hold
// after every command, whatever the interleaving; a property test runs random
// commands concurrently and checks them, and an operator can run them too.

// LedgerStock is one part in one store as the books hold it: its on hand
// and reserved, what is on order (incoming), what its movements add up to
// and what its RESERVED reservations still hold.
type LedgerStock struct {
	PartID     PartID
	PartNumber string
	// StoreID nil is the main store; a branch reserves nothing.
	StoreID    *StockStoreID
	OnHand     int
	Reserved   int
	Incoming   int
	Movements  int
	HeldByOpen int
}

// LedgerLine is a catalogue part line of a delivered order: what its bill
// charged and what was issued against it minus what came back.
type LedgerLine struct {
	OrderID    OrderID
	LineID     PartLineID
	PartNumber string
	// Billed is nil when the settlement recorded no billed quantity.
	Billed    *int
	NetIssued int
}

// StockSnapshot is the books read at one instant (one transaction).
type StockSnapshot struct {
	Stock          []LedgerStock
	DeliveredLines []LedgerLine
}

// CheckStockInvariants returns every broken invariant of s as a sentence;
// none when the books reconcile:
//   - for every part and store, the movements add up to on hand, and on
//     hand is never negative;
//   - reserved ≤ on hand + incoming, and reserved is exactly what the open
//     RESERVED reservations still hold;
//   - for every delivered order, each catalogue part line was billed
//     exactly what was issued against it minus what was returned.
func CheckStockInvariants(s StockSnapshot) []string {
	var out []string
	for _, st := range s.Stock {
		where := "main store"
		if st.StoreID != nil {
			where = fmt.Sprintf("branch store %d", *st.StoreID)
		}
		if st.Movements != st.OnHand {
			out = append(out, fmt.Sprintf("part %s in the %s: movements add up to %d but on hand is %d", st.PartNumber, where, st.Movements, st.OnHand))
		}
		if st.OnHand < 0 {
			out = append(out, fmt.Sprintf("part %s in the %s: on hand is %d", st.PartNumber, where, st.OnHand))
		}
		if st.Reserved > st.OnHand+st.Incoming {
			out = append(out, fmt.Sprintf("part %s in the %s: reserved %d exceeds on hand %d + incoming %d", st.PartNumber, where, st.Reserved, st.OnHand, st.Incoming))
		}
		if st.Reserved != st.HeldByOpen {
			out = append(out, fmt.Sprintf("part %s in the %s: reserved is %d but open reservations hold %d", st.PartNumber, where, st.Reserved, st.HeldByOpen))
		}
	}
	for _, l := range s.DeliveredLines {
		switch {
		case l.Billed == nil:
			out = append(out, fmt.Sprintf("order %d line %d (%s): delivered with no billed quantity", l.OrderID, l.LineID, l.PartNumber))
		case *l.Billed != l.NetIssued:
			out = append(out, fmt.Sprintf("order %d line %d (%s): billed %d but issued minus returned is %d", l.OrderID, l.LineID, l.PartNumber, *l.Billed, l.NetIssued))
		}
	}
	return out
}
