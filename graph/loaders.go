package graph

import (
	"context"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"bayboard/shop"
	"bayboard/store"
)

// Loaders batch the nested reads of one root field: every loader turns the
// keys collected in a short window into one SQL statement, so a query's
// statement count does not grow with the number of records it returns.
// Windows can split under load; below a page of visits (the customer
// history) prefetch.go primes the loaders instead, so the count is exact.
type Loaders struct {
	Users          *dataloader.Loader[shop.UserID, *shop.User]
	Bays           *dataloader.Loader[shop.BayID, *shop.Bay]
	Customers      *dataloader.Loader[shop.CustomerID, *shop.Customer]
	Vehicles       *dataloader.Loader[shop.VehicleID, *shop.Vehicle]
	Appointments   *dataloader.Loader[shop.AppointmentID, *shop.Appointment]
	Visits         *dataloader.Loader[shop.VisitID, *shop.Visit]
	Orders         *dataloader.Loader[shop.OrderID, *shop.Order]
	Jobs           *dataloader.Loader[shop.JobID, *shop.Job]
	Parts          *dataloader.Loader[shop.PartID, *shop.Part]
	CustVehicles   *dataloader.Loader[shop.CustomerID, []*shop.Vehicle]
	VisitOrders    *dataloader.Loader[shop.VisitID, []*shop.Order]
	OrderJobs      *dataloader.Loader[shop.OrderID, []*shop.Job]
	OrderParts     *dataloader.Loader[shop.OrderID, []*shop.PartLine]
	OrderExtra     *dataloader.Loader[shop.OrderID, []*shop.AdditionalWork]
	OrderChecks    *dataloader.Loader[shop.OrderID, []*shop.Check]
	OrderSettlemnt *dataloader.Loader[shop.OrderID, *shop.Settlement]

	// Parts, warranty, callbacks, complaints and reminders.
	Reservations      *dataloader.Loader[shop.PartReservationID, *shop.PartReservation]
	PartIssues        *dataloader.Loader[shop.PartIssueID, *shop.PartIssue]
	StockReceipts     *dataloader.Loader[shop.StockReceiptID, *shop.StockReceipt]
	Claims            *dataloader.Loader[shop.WarrantyClaimID, *shop.WarrantyClaim]
	RetainedParts     *dataloader.Loader[shop.RetainedPartID, *shop.RetainedPart]
	Callbacks         *dataloader.Loader[shop.CallbackID, *shop.Callback]
	Complaints        *dataloader.Loader[shop.ComplaintID, *shop.Complaint]
	ServicePlans      *dataloader.Loader[shop.ServicePlanID, *shop.ServicePlan]
	Reminders         *dataloader.Loader[shop.ReminderID, *shop.Reminder]
	OrderReservations *dataloader.Loader[shop.OrderID, []*shop.PartReservation]
	OrderIssues       *dataloader.Loader[shop.OrderID, []*shop.PartIssue]
	OrderClaims       *dataloader.Loader[shop.OrderID, []*shop.WarrantyClaim]
	OrderCallbacks    *dataloader.Loader[shop.OrderID, []*shop.Callback]
	JobWarranty       *dataloader.Loader[shop.JobID, *shop.WarrantyDecision]
	ClaimJobs         *dataloader.Loader[shop.WarrantyClaimID, []shop.JobID]
}

// NewLoaders returns fresh loaders over db. Build them per root field (see
// Handler): a cached value must never outlive the operation that read it.
func NewLoaders(db *store.DB) *Loaders {
	return &Loaders{
		Users:          newLoader(db.FindUsersByIDs),
		Bays:           newLoader(db.FindBaysByIDs),
		Customers:      newLoader(db.FindCustomersByIDs),
		Vehicles:       newLoader(db.FindVehiclesByIDs),
		Appointments:   newLoader(db.FindAppointmentsByIDs),
		Visits:         newLoader(db.FindVisitsByIDs),
		Orders:         newLoader(db.FindOrdersByIDs),
		Jobs:           newLoader(db.FindJobsByIDs),
		Parts:          newLoader(db.FindPartsByIDs),
		CustVehicles:   newLoader(db.FindVehiclesByCustomerIDs),
		VisitOrders:    newLoader(db.FindOrdersByVisitIDs),
		OrderJobs:      newLoader(db.FindJobsByOrderIDs),
		OrderParts:     newLoader(db.FindPartLinesByOrderIDs),
		OrderExtra:     newLoader(db.FindAdditionalWorkByOrderIDs),
		OrderChecks:    newLoader(db.FindChecksByOrderIDs),
		OrderSettlemnt: newLoader(db.FindSettlementsByOrderIDs),

		Reservations:      newLoader(db.FindReservationsByIDs),
		PartIssues:        newLoader(db.FindPartIssuesByIDs),
		StockReceipts:     newLoader(db.FindStockReceiptsByIDs),
		Claims:            newLoader(db.FindWarrantyClaimsByIDs),
		RetainedParts:     newLoader(db.FindRetainedPartsByIDs),
		Callbacks:         newLoader(db.FindCallbacksByIDs),
		Complaints:        newLoader(db.FindComplaintsByIDs),
		ServicePlans:      newLoader(db.FindServicePlansByIDs),
		Reminders:         newLoader(db.FindRemindersByIDs),
		OrderReservations: newLoader(db.FindReservationsByOrderIDs),
		OrderIssues:       newLoader(db.FindPartIssuesByOrderIDs),
		OrderClaims:       newLoader(db.FindWarrantyClaimsByOrderIDs),
		OrderCallbacks:    newLoader(db.FindCallbacksByOrderIDs),
		JobWarranty:       newLoader(db.FindWarrantyDecisionsByJobIDs),
		ClaimJobs:         newLoader(db.FindClaimJobIDs),
	}
}

// newLoader adapts a store finder returning a map to a batched loader;
// a key missing from the map yields the zero value (nil or an empty list).
func newLoader[K comparable, V any](find func(context.Context, []K) (map[K]V, error)) *dataloader.Loader[K, V] {
	batch := func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		out := make([]*dataloader.Result[V], len(keys))
		m, err := find(ctx, keys)
		for i, k := range keys {
			if err != nil {
				out[i] = &dataloader.Result[V]{Error: err}
			} else {
				out[i] = &dataloader.Result[V]{Data: m[k]}
			}
		}
		return out
	}
	return dataloader.NewBatchedLoader(batch, dataloader.WithWait[K, V](500*time.Microsecond), dataloader.WithBatchCapacity[K, V](500))
}

type loadersKey struct{}

// WithLoaders returns ctx carrying loaders.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

func loaders(ctx context.Context) *Loaders {
	return ctx.Value(loadersKey{}).(*Loaders)
}

// load loads one key; a nil key gives nil.
func load[K comparable, V any](ctx context.Context, l *dataloader.Loader[K, V], key *K) (V, error) {
	if key == nil {
		var zero V
		return zero, nil
	}
	return l.Load(ctx, *key)()
}
