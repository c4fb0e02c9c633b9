package shop

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Stock (库存): the ledger of movements, branch stores and transfers (调拨),
// stocktakes (盘库), suppliers and purchase orders, reorder points and the
// moving average cost. The main store of a site is the Part row itself
// (OnHand, Reserved); a branch store holds stock moved there by transfers and
// nothing is reserved or issued from it.

// IDs of the stock records.
type (
	StockStoreID        int64
	StockTransferID     int64
	StocktakeID         int64
	SupplierID          int64
	PurchaseOrderID     int64
	PurchaseOrderLineID int64
	StockMovementID     int64
)

// Type names of the stock records in global IDs; they are the GraphQL type names.
const (
	TypeStockStore        = "StockStore"
	TypeStockTransfer     = "StockTransfer"
	TypeStocktake         = "Stocktake"
	TypeSupplier          = "Supplier"
	TypePurchaseOrder     = "PurchaseOrder"
	TypePurchaseOrderLine = "PurchaseOrderLine"
	TypeStockMovement     = "StockMovement"
)

func (id StockStoreID) MarshalGQL(w io.Writer)    { marshalID(w, TypeStockStore, int64(id)) }
func (id StockTransferID) MarshalGQL(w io.Writer) { marshalID(w, TypeStockTransfer, int64(id)) }
func (id StocktakeID) MarshalGQL(w io.Writer)     { marshalID(w, TypeStocktake, int64(id)) }
func (id SupplierID) MarshalGQL(w io.Writer)      { marshalID(w, TypeSupplier, int64(id)) }
func (id PurchaseOrderID) MarshalGQL(w io.Writer) { marshalID(w, TypePurchaseOrder, int64(id)) }
func (id PurchaseOrderLineID) MarshalGQL(w io.Writer) {
	marshalID(w, TypePurchaseOrderLine, int64(id))
}
func (id StockMovementID) MarshalGQL(w io.Writer) { marshalID(w, TypeStockMovement, int64(id)) }

func (id *StockStoreID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeStockStore)
	*id = StockStoreID(n)
	return err
}
func (id *StockTransferID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeStockTransfer)
	*id = StockTransferID(n)
	return err
}
func (id *StocktakeID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeStocktake)
	*id = StocktakeID(n)
	return err
}
func (id *SupplierID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeSupplier)
	*id = SupplierID(n)
	return err
}
func (id *PurchaseOrderID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypePurchaseOrder)
	*id = PurchaseOrderID(n)
	return err
}
func (id *PurchaseOrderLineID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypePurchaseOrderLine)
	*id = PurchaseOrderLineID(n)
	return err
}
func (id *StockMovementID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeStockMovement)
	*id = StockMovementID(n)
	return err
}

// Event kinds of the stock commands.
const (
	EventStockAdjusted        EventKind = "STOCK_ADJUSTED"    // a stocktake booked its differences
	EventStockTransferred     EventKind = "STOCK_TRANSFERRED" // parts moved between stores
	EventPurchasingChanged    EventKind = "PURCHASING_CHANGED"
	EventStockSettingsChanged EventKind = "STOCK_SETTINGS_CHANGED" // a reorder point changed
)

// MovementKind is why a store's stock changed.
type MovementKind string

// Movement kinds. Every change of on hand is exactly one movement, so the
// movements of a part in a store add up to its on hand.
const (
	MoveOpening     MovementKind = "OPENING" // stock that existed before the ledger, or set up with the part
	MoveReceipt     MovementKind = "RECEIPT"
	MoveIssue       MovementKind = "ISSUE"
	MoveReturn      MovementKind = "RETURN"
	MoveAdjustment  MovementKind = "ADJUSTMENT"
	MoveTransferOut MovementKind = "TRANSFER_OUT"
	MoveTransferIn  MovementKind = "TRANSFER_IN"
)

// StockMovement is one line of the stock ledger. StoreID nil is the main store.
type StockMovement struct {
	ID          StockMovementID
	SiteID      SiteID
	PartID      PartID
	StoreID     *StockStoreID
	Kind        MovementKind
	Quantity    int
	UnitCost    Money
	ReceiptID   *StockReceiptID
	IssueID     *PartIssueID
	TransferID  *StockTransferID
	StocktakeID *StocktakeID
	Reason      string
	MovedBy     *UserID
	MovedAt     time.Time
}

// StockStore is a branch store (分库) of a site.
type StockStore struct {
	ID     StockStoreID
	SiteID SiteID
	Name   string
}

// StockLevel is a part's stock in one store: the main store (Store nil)
// holds reservations, a branch only stock.
type StockLevel struct {
	PartID   PartID
	Store    *StockStoreID
	OnHand   int
	Reserved int
}

// MovingAverageCost is the average unit cost after q units costing cost each
// join onHand units at avg, rounded half up to the minor unit. With nothing on
// hand before (or less: never negative), the new cost is the receipt's.
func MovingAverageCost(onHand int, avg Money, q int, cost Money) Money {
	if onHand <= 0 {
		return cost
	}
	total := int64(onHand)*int64(avg) + int64(q)*int64(cost)
	n := int64(onHand + q)
	return Money((2*total + n) / (2 * n))
}

// CheckMoney checks an amount given for field: not negative, at most MaxMoney.
// Errors: INVALID naming field.
func CheckMoney(field string, m Money) error {
	if m < 0 || m > MaxMoney {
		return FieldErrorf(field, "The amount must be between 0 and %s; %s is not.", MaxMoney, m)
	}
	return nil
}

// NewStockStore decides a branch store of site, by name. Errors: INVALID.
func NewStockStore(site SiteID, name string) (StockStore, Event, error) {
	n, err := CheckText("name", name, true, MaxShortText)
	if err != nil {
		return StockStore{}, Event{}, err
	}
	return StockStore{SiteID: site, Name: n}, Event{SiteID: site, Kind: EventStockSettingsChanged, Summary: "Branch store " + n + " opened"}, nil
}

// TransferInput moves Quantity units of a part from one store to another;
// nil is the main store.
type TransferInput struct {
	From     *StockStoreID
	To       *StockStoreID
	Quantity int
	Note     string
}

// StockTransfer is a transfer (调拨) between two stores of a site.
type StockTransfer struct {
	ID          StockTransferID
	SiteID      SiteID
	PartID      PartID
	FromStoreID *StockStoreID
	ToStoreID   *StockStoreID
	Quantity    int
	Note        string
	MovedBy     UserID
	MovedAt     time.Time
}

// TransferStock decides a transfer of p between the stores whose levels
// from and to are (the store loaded both, from first): the two movements
// take the same quantity out of one and into the other, so a transfer never
// changes the site's stock. The main store gives only what is not reserved.
// Errors: INVALID.
func TransferStock(p Part, from, to StockLevel, in TransferInput, by UserID, now time.Time) (StockLevel, StockLevel, StockTransfer, [2]StockMovement, Event, error) {
	var mv [2]StockMovement
	fail := func(err error) (StockLevel, StockLevel, StockTransfer, [2]StockMovement, Event, error) {
		return from, to, StockTransfer{}, mv, Event{}, err
	}
	if sameStore(in.From, in.To) {
		return fail(FieldErrorf("toStoreId", "A transfer moves parts between two different stores."))
	}
	if err := ValidQuantity(in.Quantity); err != nil {
		return fail(err)
	}
	note, err := CheckText("note", in.Note, false, MaxShortText)
	if err != nil {
		return fail(err)
	}
	if can := from.OnHand - from.Reserved; can < in.Quantity {
		return fail(FieldErrorf("quantity", "Only %d of part %s can leave that store (on hand %d, reserved %d); %d were asked for.",
			max(can, 0), p.PartNumber, from.OnHand, from.Reserved, in.Quantity))
	}
	from.OnHand -= in.Quantity
	to.OnHand += in.Quantity
	t := StockTransfer{SiteID: p.SiteID, PartID: p.ID, FromStoreID: in.From, ToStoreID: in.To, Quantity: in.Quantity,
		Note: note, MovedBy: by, MovedAt: now}
	mv[0] = StockMovement{SiteID: p.SiteID, PartID: p.ID, StoreID: in.From, Kind: MoveTransferOut, Quantity: -in.Quantity,
		UnitCost: p.AvgCost, Reason: note, MovedBy: &by, MovedAt: now}
	mv[1] = mv[0]
	mv[1].StoreID, mv[1].Kind, mv[1].Quantity = in.To, MoveTransferIn, in.Quantity
	return from, to, t, mv, Event{SiteID: p.SiteID, Kind: EventStockTransferred,
		Summary: fmt.Sprintf("Transferred %d × %s between stores", in.Quantity, p.PartNumber)}, nil
}

func sameStore(a, b *StockStoreID) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// StocktakeCount is one counted part of a stocktake (盘库).
type StocktakeCount struct {
	PartID  PartID
	Counted int
	Reason  string
}

// StocktakeLine is a counted part: book (what the ledger says) against
// counted, and why they differ.
type StocktakeLine struct {
	PartID  PartID
	Book    int
	Counted int
	Reason  string
}

// Difference is counted minus book: what the adjustment books.
func (l StocktakeLine) Difference() int { return l.Counted - l.Book }

// Stocktake is a posted count of one store.
type Stocktake struct {
	ID       StocktakeID
	SiteID   SiteID
	StoreID  *StockStoreID
	Note     string
	PostedBy UserID
	PostedAt time.Time
	Lines    []StocktakeLine
}

// MaxStocktakeLines bounds one stocktake; a big store is counted in sections.
const MaxStocktakeLines = 500

// PostStocktake decides a stocktake of one store of site: levels are the
// store's book stock of the counted parts (the store locked them). A count
// equal to the book is recorded as checked; a difference becomes an
// ADJUSTMENT movement, and needs a reason and a service manager (or admin)
// to post it, because it writes stock off or on. A main-store count below
// what is reserved is refused: the reservations are released or issued
// first, so stock never goes below what is promised. levels must hold every
// counted part (the store answers NOT_FOUND for parts not in the site).
// Errors: INVALID naming lines[i], FORBIDDEN.
func PostStocktake(by Actor, site SiteID, store *StockStoreID, counts []StocktakeCount, note string, levels map[PartID]*StockLevel, avgCost map[PartID]Money, now time.Time) (Stocktake, []StockMovement, Event, error) {
	st := Stocktake{SiteID: site, StoreID: store, PostedBy: by.UserID, PostedAt: now}
	fail := func(err error) (Stocktake, []StockMovement, Event, error) { return st, nil, Event{}, err }
	if len(counts) == 0 || len(counts) > MaxStocktakeLines {
		return fail(FieldErrorf("lines", "Count between 1 and %d parts in one stocktake; %d were given.", MaxStocktakeLines, len(counts)))
	}
	n, err := CheckText("note", note, false, MaxShortText)
	if err != nil {
		return fail(err)
	}
	st.Note = n
	seen := map[PartID]bool{}
	var moves []StockMovement
	changed := 0
	for i, c := range counts {
		field := fmt.Sprintf("lines[%d]", i)
		if seen[c.PartID] {
			return fail(FieldErrorf(field+".partId", "Each part is counted once in a stocktake; this one is listed twice."))
		}
		seen[c.PartID] = true
		lv := levels[c.PartID]
		if lv == nil {
			return fail(NotFoundf(field+".partId", "That part is not in this site's catalogue."))
		}
		if c.Counted < 0 || c.Counted > 1_000_000 {
			return fail(FieldErrorf(field+".counted", "A count must be between 0 and 1,000,000; %d is not.", c.Counted))
		}
		reason, err := CheckText(field+".reason", c.Reason, false, MaxShortText)
		if err != nil {
			return fail(err)
		}
		l := StocktakeLine{PartID: c.PartID, Book: lv.OnHand, Counted: c.Counted, Reason: reason}
		if d := l.Difference(); d != 0 {
			if reason == "" {
				return fail(FieldErrorf(field+".reason", "Counted %d but the book says %d; give the reason for the difference.", c.Counted, lv.OnHand))
			}
			if c.Counted < lv.Reserved {
				return fail(FieldErrorf(field+".counted", "%d units of this part are reserved for repair orders; release or issue them before booking a count of %d.",
					lv.Reserved, c.Counted))
			}
			if by.Role != RoleServiceManager && by.Role != RoleAdmin {
				return fail(Errorf(EFORBIDDEN, "Only a service manager may post a stocktake that adjusts stock; %d part(s) differ from the book.", countDiffs(counts, levels)))
			}
			lv.OnHand = c.Counted
			changed++
			moves = append(moves, StockMovement{SiteID: site, PartID: c.PartID, StoreID: store, Kind: MoveAdjustment, Quantity: d,
				UnitCost: avgCost[c.PartID], Reason: reason, MovedBy: &by.UserID, MovedAt: now})
		}
		st.Lines = append(st.Lines, l)
	}
	return st, moves, Event{SiteID: site, Kind: EventStockAdjusted,
		Summary: fmt.Sprintf("Stocktake: %d part(s) counted, %d adjusted", len(counts), changed)}, nil
}

func countDiffs(counts []StocktakeCount, levels map[PartID]*StockLevel) int {
	n := 0
	for _, c := range counts {
		if lv := levels[c.PartID]; lv != nil && lv.OnHand != c.Counted {
			n++
		}
	}
	return n
}

// SetReorderPoint decides p's reorder point (订货点): at or below it (counting
// what is on order), the part is listed for reordering; 0 never lists it.
// Errors: INVALID.
func SetReorderPoint(p Part, point int) (Part, Event, error) {
	if point < 0 || point > 100_000 {
		return p, Event{}, FieldErrorf("reorderPoint", "A reorder point must be between 0 and 100,000; %d is not.", point)
	}
	p.ReorderPoint = point
	return p, Event{SiteID: p.SiteID, Kind: EventStockSettingsChanged,
		Summary: fmt.Sprintf("Reorder point of %s set to %d", p.PartNumber, point)}, nil
}

// NeedsReorder reports whether a part should be ordered: what is free plus
// what is already on order is at or below its reorder point.
func NeedsReorder(p *Part, incoming int) bool {
	return p.ReorderPoint > 0 && p.Available()+incoming <= p.ReorderPoint
}

// ReorderQuantity suggests how many to order: back up to twice the reorder
// point, never less than one.
func ReorderQuantity(p *Part, incoming int) int {
	return max(2*p.ReorderPoint-p.Available()-incoming, 1)
}

// Supplier is a supplier (供应商) of a site.
type Supplier struct {
	ID      SupplierID
	SiteID  SiteID
	Name    string
	Contact string
	Phone   string
}

// NewSupplier decides a supplier of site. Errors: INVALID.
func NewSupplier(site SiteID, name, contact, phone string) (Supplier, Event, error) {
	n, err := CheckText("name", name, true, MaxShortText)
	if err != nil {
		return Supplier{}, Event{}, err
	}
	c, err := CheckText("contact", contact, false, MaxShortText)
	if err != nil {
		return Supplier{}, Event{}, err
	}
	ph, err := CheckText("phone", phone, false, 40)
	if err != nil {
		return Supplier{}, Event{}, err
	}
	return Supplier{SiteID: site, Name: n, Contact: c, Phone: ph},
		Event{SiteID: site, Kind: EventPurchasingChanged, Summary: "Supplier " + n + " added"}, nil
}

// PurchaseOrderState is where a purchase order stands.
type PurchaseOrderState string

// Purchase order states: OPEN until every line is received, or cancelled.
const (
	PurchaseOpen      PurchaseOrderState = "OPEN"
	PurchaseReceived  PurchaseOrderState = "RECEIVED"
	PurchaseCancelled PurchaseOrderState = "CANCELLED"
)

// PurchaseOrder is a purchase order (采购单) to a supplier.
type PurchaseOrder struct {
	ID         PurchaseOrderID
	SiteID     SiteID
	SupplierID SupplierID
	Reference  string
	State      PurchaseOrderState
	CreatedBy  UserID
	CreatedAt  time.Time
	ClosedAt   *time.Time
	Version    int
}

// PurchaseOrderLine is a part ordered: quantity, received so far, unit cost.
type PurchaseOrderLine struct {
	ID              PurchaseOrderLineID
	SiteID          SiteID
	PurchaseOrderID PurchaseOrderID
	PartID          PartID
	Quantity        int
	Received        int
	UnitCost        Money
}

// Outstanding is what is still to come.
func (l *PurchaseOrderLine) Outstanding() int { return l.Quantity - l.Received }

// PurchaseLineInput is one part of a new purchase order.
type PurchaseLineInput struct {
	PartID   PartID
	Quantity int
	UnitCost Money
}

// MaxPurchaseLines bounds one purchase order.
const MaxPurchaseLines = 200

// NewPurchaseOrder decides a purchase order of site to supplier (supplierSite
// is the supplier's site, nil when it does not exist). partSites holds the
// site of every named part that exists. Errors: INVALID naming lines[i],
// NOT_FOUND.
func NewPurchaseOrder(site SiteID, supplier SupplierID, supplierSite *SiteID, reference string, lines []PurchaseLineInput, partSites map[PartID]SiteID, by UserID, now time.Time) (PurchaseOrder, []PurchaseOrderLine, Event, error) {
	po := PurchaseOrder{SiteID: site, SupplierID: supplier, State: PurchaseOpen, CreatedBy: by, CreatedAt: now, Version: 1}
	fail := func(err error) (PurchaseOrder, []PurchaseOrderLine, Event, error) { return po, nil, Event{}, err }
	if supplierSite == nil || *supplierSite != site {
		return fail(NotFoundf("supplierId", "No supplier with that ID exists at this site."))
	}
	ref, err := CheckText("reference", reference, false, MaxShortText)
	if err != nil {
		return fail(err)
	}
	po.Reference = ref
	if len(lines) == 0 || len(lines) > MaxPurchaseLines {
		return fail(FieldErrorf("lines", "Order between 1 and %d parts in one purchase order; %d were given.", MaxPurchaseLines, len(lines)))
	}
	seen := map[PartID]bool{}
	out := make([]PurchaseOrderLine, 0, len(lines))
	for i, l := range lines {
		field := fmt.Sprintf("lines[%d]", i)
		if s, ok := partSites[l.PartID]; !ok || s != site {
			return fail(NotFoundf(field+".partId", "That part is not in this site's catalogue."))
		}
		if seen[l.PartID] {
			return fail(FieldErrorf(field+".partId", "Each part is ordered once in a purchase order; this one is listed twice."))
		}
		seen[l.PartID] = true
		if err := ValidQuantity(l.Quantity); err != nil {
			return fail(atField(field+".quantity", err))
		}
		if err := CheckMoney(field+".unitCost", l.UnitCost); err != nil {
			return fail(err)
		}
		out = append(out, PurchaseOrderLine{SiteID: site, PartID: l.PartID, Quantity: l.Quantity, UnitCost: l.UnitCost})
	}
	return po, out, Event{SiteID: site, Kind: EventPurchasingChanged,
		Summary: fmt.Sprintf("Purchase order placed: %d part line(s)", len(out))}, nil
}

// CancelPurchaseOrder cancels what is still to come of an OPEN purchase
// order; what was received stays. Errors: INVALID_TRANSITION.
func CancelPurchaseOrder(po PurchaseOrder, now time.Time) (PurchaseOrder, Event, error) {
	if po.State != PurchaseOpen {
		return po, Event{}, Errorf(EINVALIDTRANSITION, "The purchase order is %s; only an OPEN one can be cancelled (CANCEL).", po.State)
	}
	po.State, po.ClosedAt = PurchaseCancelled, &now
	po.Version++
	return po, Event{SiteID: po.SiteID, Kind: EventPurchasingChanged, Summary: "Purchase order cancelled"}, nil
}

// PurchaseReceipt is what receiving against a purchase order changes.
type PurchaseReceipt struct {
	Part     Part
	Line     PurchaseOrderLine
	Order    PurchaseOrder
	Receipt  StockReceipt
	Movement StockMovement
	Event    Event
}

// ReceivePurchase decides q units of line received into the main store of p
// (the line's part) against OPEN purchase order po; lines are all its lines
// (for whether it is now fully received) and elsewhere the stock of p in the
// branch stores (the average cost is over all the site's stock). The part's
// average cost moves to include the received units at the line's cost.
// The store then fills waiting reservations. Errors: INVALID,
// INVALID_TRANSITION.
func ReceivePurchase(p Part, po PurchaseOrder, line PurchaseOrderLine, lines []*PurchaseOrderLine, elsewhere, q int, reference string, by UserID, now time.Time) (PurchaseReceipt, error) {
	out := PurchaseReceipt{}
	if po.State != PurchaseOpen {
		return out, Errorf(EINVALIDTRANSITION, "The purchase order is %s; goods are received only against an OPEN one (RECEIVE).", po.State)
	}
	if err := ValidQuantity(q); err != nil {
		return out, err
	}
	if q > line.Outstanding() {
		return out, FieldErrorf("quantity", "Only %d of part %s are still to come on this purchase order; %d were given.", line.Outstanding(), p.PartNumber, q)
	}
	ref, err := CheckText("reference", reference, false, MaxShortText)
	if err != nil {
		return out, err
	}
	p.AvgCost = MovingAverageCost(p.OnHand+elsewhere, p.AvgCost, q, line.UnitCost)
	p.OnHand += q
	line.Received += q
	done := true
	for _, l := range lines {
		r := l.Received
		if l.ID == line.ID {
			r = line.Received
		}
		if r < l.Quantity {
			done = false
		}
	}
	if done {
		po.State, po.ClosedAt = PurchaseReceived, &now
	}
	po.Version++
	cost := line.UnitCost
	lid := line.ID
	out.Receipt = StockReceipt{SiteID: p.SiteID, PartID: p.ID, Quantity: q, Reference: ref, ReceivedBy: by, ReceivedAt: now,
		PurchaseOrderLineID: &lid, UnitCost: &cost}
	out.Movement = StockMovement{SiteID: p.SiteID, PartID: p.ID, Kind: MoveReceipt, Quantity: q, UnitCost: cost, Reason: ref, MovedBy: &by, MovedAt: now}
	out.Part, out.Line, out.Order = p, line, po
	out.Event = Event{SiteID: p.SiteID, Kind: EventStockReceived,
		Summary: fmt.Sprintf("Received against a purchase order: %d × %s, on hand %d", q, p.PartNumber, p.OnHand)}
	return out, nil
}

// CheckPeriod checks a reporting period [from, to): it ends after it
// starts and spans at most ten years. Errors: INVALID naming "to".
func CheckPeriod(from, to time.Time) error {
	if !to.After(from) || to.Sub(from) > 10*366*24*time.Hour {
		return FieldErrorf("to", "A period must end after it starts and span at most ten years.")
	}
	return nil
}

// PartsMargin is the parts revenue, cost and margin of a period (配件毛利).
type PartsMargin struct {
	Revenue Money
	Cost    Money
	Margin  Money
	// MarginPercent is the margin over revenue in basis points (1/100 %), 0 without revenue.
	MarginBasisPoints int64
}

// ComputePartsMargin adds up the parts margin of settled orders: revenue is
// what their bills charged for parts (issued minus returned against each
// line, at the line's price; see BilledPartLines); cost is every unit issued
// to them and not returned, at the average cost when it was issued, billed
// or not (parts used under warranty or without a line cost money too).
func ComputePartsMargin(lines []*PartLine, issues []*PartIssue) PartsMargin {
	var m PartsMargin
	for _, l := range BilledPartLines(lines, issues) {
		m.Revenue += l.Total()
	}
	for _, is := range issues {
		m.Cost += is.UnitCost.Times(is.Quantity - is.Returned)
	}
	m.Margin = m.Revenue - m.Cost
	if m.Revenue > 0 {
		m.MarginBasisPoints = int64(m.Margin) * 10_000 / int64(m.Revenue)
	}
	return m
}

// NetIssuedByLine returns, per part line, the units issued against it and
// not returned.
func NetIssuedByLine(issues []*PartIssue) map[PartLineID]int {
	out := map[PartLineID]int{}
	for _, is := range issues {
		if is.PartLineID != nil {
			out[*is.PartLineID] += is.Quantity - is.Returned
		}
	}
	return out
}

// BilledPartLines returns the part lines as a bill charges them: a catalogue
// part line for what was issued against it minus what came back (a line
// with nothing left is not billed at all), never the quoted quantity; a line
// without a catalogue part (bought in for the job, not stocked) as quoted.
// The lines given are not changed.
func BilledPartLines(lines []*PartLine, issues []*PartIssue) []*PartLine {
	net := NetIssuedByLine(issues)
	return billLines(lines, func(l *PartLine) *int { n := net[l.ID]; return &n })
}

// SetDrawn sets each line's Drawn from the order's issue slips: the net
// quantity of the slips against it, nil for a line with none.
func SetDrawn(lines []*PartLine, issues []*PartIssue) {
	net := NetIssuedByLine(issues)
	slipped := map[PartLineID]bool{}
	for _, is := range issues {
		if is.PartLineID != nil {
			slipped[*is.PartLineID] = true
		}
	}
	for _, l := range lines {
		l.Drawn = nil
		if slipped[l.ID] {
			n := net[l.ID]
			l.Drawn = &n
		}
	}
}

// BillingPartLines returns the part lines as the bill stands now: a line
// drawn from stock (Drawn set) at what was issued minus returned (nothing
// left, not billed), a line not drawn yet as quoted. At settlement every
// billable line has been drawn (CheckPartsIssued), so this is
// BilledPartLines then; before it, the bill a manager signs off or
// discounts is the one settlement will charge if nothing more is drawn.
// The lines given are not changed.
func BillingPartLines(lines []*PartLine) []*PartLine {
	return billLines(lines, func(l *PartLine) *int { return l.Drawn })
}

// billLines charges each catalogue line what drawn says was drawn against
// it (nothing left: not billed; nil: as quoted), and a line without a
// catalogue part as quoted. The lines given are not changed.
func billLines(lines []*PartLine, drawn func(*PartLine) *int) []*PartLine {
	out := make([]*PartLine, 0, len(lines))
	for _, l := range lines {
		n := drawn(l)
		switch {
		case l.PartID == nil || n == nil:
			out = append(out, l)
		case *n > 0:
			c := *l
			c.Quantity = *n
			out = append(out, &c)
		}
	}
	return out
}

// CheckPartsIssued refuses to settle an order with billable catalogue part
// lines that were neither issued nor removed: a line of a billable job (or
// of no job) with no issue slip against it at all. A line issued and all
// returned was decided on (billed as nothing). Parts still issued to a job
// that is not billed (declined, cancelled) must come back first, so every
// line's bill is what was issued against it minus what was returned.
// Errors: INVALID naming the lines (field "parts").
func CheckPartsIssued(jobs []*Job, lines []*PartLine, issues []*PartIssue) error {
	billable := map[JobID]bool{}
	for _, j := range jobs {
		billable[j.ID] = j.State.Billable()
	}
	slipped := map[PartLineID]bool{}
	for _, is := range issues {
		if is.PartLineID != nil {
			slipped[*is.PartLineID] = true
		}
	}
	net := NetIssuedByLine(issues)
	var missing, unbilled []string
	for _, l := range lines {
		if l.PartID == nil {
			continue
		}
		if l.JobID != nil && !billable[*l.JobID] {
			if net[l.ID] > 0 {
				unbilled = append(unbilled, fmt.Sprintf("%s × %d", l.PartNumber, net[l.ID]))
			}
			continue
		}
		if !slipped[l.ID] {
			missing = append(missing, fmt.Sprintf("%s × %d", l.PartNumber, l.Quantity))
		}
	}
	if len(unbilled) > 0 {
		return FieldErrorf("parts", "These parts were issued for work that is not billed: %s. Return them to stock before settling.", joinList(unbilled))
	}
	if len(missing) == 0 {
		return nil
	}
	return FieldErrorf("parts", "These part lines were never issued: %s. Issue them against the order or remove the lines before settling.",
		joinList(missing))
}

func joinList(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// PickPartLine chooses the part line of order lines an issue of q units of
// part counts against: named (it must be on the order and be that part), or
// else the first line of that part with room for q. Room is the line's
// quantity minus what is issued against it and not returned (net), so a
// line is never issued beyond what the customer signed for. nil means the
// order has no line of that part: the issue is not billed (e.g. a
// consumable). Errors: NOT_FOUND, INVALID (partLineId, quantity).
func PickPartLine(lines []*PartLine, named *PartLineID, part PartID, q int, net map[PartLineID]int) (*PartLineID, error) {
	if named != nil {
		i := slices.IndexFunc(lines, func(l *PartLine) bool { return l.ID == *named })
		if i < 0 {
			return nil, NotFoundf("partLineId", "That part line is not on this repair order.")
		}
		l := lines[i]
		if l.PartID == nil || *l.PartID != part {
			return nil, FieldErrorf("partLineId", "That part line is for part %s, not the part being issued.", l.PartNumber)
		}
		if room := l.Quantity - net[l.ID]; q > room {
			return nil, FieldErrorf("quantity", "Only %d more of part %s can be issued against that line (%d on the order); %d were asked for.",
				max(room, 0), l.PartNumber, l.Quantity, q)
		}
		return named, nil
	}
	room, found := 0, false
	for _, l := range lines {
		if l.PartID == nil || *l.PartID != part {
			continue
		}
		found = true
		r := l.Quantity - net[l.ID]
		if q <= r {
			id := l.ID
			return &id, nil
		}
		room = max(room, r)
	}
	if found {
		return nil, FieldErrorf("quantity", "No part line of this order has room for %d more; at most %d can be issued against one line. Issue less, or add the part to the order.", q, max(room, 0))
	}
	return nil, nil
}
