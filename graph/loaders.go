package graph

import (
	"context"
	"sync"
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
	Sites           *Loader[shop.SiteID, *shop.Site] // no actor check: for the board, which authorises first
	Users           *Loader[shop.UserID, *shop.User]
	Bays            *Loader[shop.BayID, *shop.Bay]
	Customers       *Loader[shop.CustomerID, *shop.Customer]
	Vehicles        *Loader[shop.VehicleID, *shop.Vehicle]
	Appointments    *Loader[shop.AppointmentID, *shop.Appointment]
	Visits          *Loader[shop.VisitID, *shop.Visit]
	Orders          *Loader[shop.OrderID, *shop.Order]
	Jobs            *Loader[shop.JobID, *shop.Job]
	Parts           *Loader[shop.PartID, *shop.Part]
	CustVehicles    *Loader[shop.CustomerID, []*shop.Vehicle]
	VisitOrders     *Loader[shop.VisitID, []*shop.Order]
	OrderJobs       *Loader[shop.OrderID, []*shop.Job]
	OrderParts      *Loader[shop.OrderID, []*shop.PartLine]
	OrderExtra      *Loader[shop.OrderID, []*shop.AdditionalWork]
	OrderChecks     *Loader[shop.OrderID, []*shop.Check]
	OrderSettlement *Loader[shop.OrderID, *shop.Settlement]

	// Parts, warranty, callbacks, complaints and reminders.
	Reservations      *Loader[shop.PartReservationID, *shop.PartReservation]
	PartIssues        *Loader[shop.PartIssueID, *shop.PartIssue]
	StockReceipts     *Loader[shop.StockReceiptID, *shop.StockReceipt]
	Claims            *Loader[shop.WarrantyClaimID, *shop.WarrantyClaim]
	RetainedParts     *Loader[shop.RetainedPartID, *shop.RetainedPart]
	Callbacks         *Loader[shop.CallbackID, *shop.Callback]
	Complaints        *Loader[shop.ComplaintID, *shop.Complaint]
	ServicePlans      *Loader[shop.ServicePlanID, *shop.ServicePlan]
	Reminders         *Loader[shop.ReminderID, *shop.Reminder]
	OrderReservations *Loader[shop.OrderID, []*shop.PartReservation]
	OrderIssues       *Loader[shop.OrderID, []*shop.PartIssue]
	OrderClaims       *Loader[shop.OrderID, []*shop.WarrantyClaim]
	OrderCallbacks    *Loader[shop.OrderID, []*shop.Callback]
	JobWarranty       *Loader[shop.JobID, *shop.WarrantyDecision]
	ClaimJobs         *Loader[shop.WarrantyClaimID, []shop.JobID]

	// Stock and money.
	PurchaseLines  *Loader[shop.PurchaseOrderID, []*shop.PurchaseOrderLine]
	StockStores    *Loader[shop.StockStoreID, *shop.StockStore]
	StockTransfers *Loader[shop.StockTransferID, *shop.StockTransfer]
	Suppliers      *Loader[shop.SupplierID, *shop.Supplier]
	PurchaseOrders *Loader[shop.PurchaseOrderID, *shop.PurchaseOrder]
	Stocktakes     *Loader[shop.StocktakeID, *shop.Stocktake]
	Receivables    *Loader[shop.ReceivableID, *shop.Receivable]

	// PersonalNames are the names to scrub from free text a masked role
	// reads (redactText): never returned to a client.
	PersonalNames *Loader[shop.CustomerID, []string]
}

// NewLoaders returns fresh loaders over db. Build them per root field (see
// Handler): a cached value must never outlive the operation that read it.
func NewLoaders(db *store.DB) *Loaders {
	return &Loaders{
		Sites:           lazy(db, (*store.DB).FindSitesByIDs),
		Users:           lazy(db, (*store.DB).FindUsersByIDs),
		Bays:            lazy(db, (*store.DB).FindBaysByIDs),
		Customers:       lazy(db, (*store.DB).FindCustomersByIDs),
		Vehicles:        lazy(db, (*store.DB).FindVehiclesByIDs),
		Appointments:    lazy(db, (*store.DB).FindAppointmentsByIDs),
		Visits:          lazy(db, (*store.DB).FindVisitsByIDs),
		Orders:          lazy(db, (*store.DB).FindOrdersByIDs),
		Jobs:            lazy(db, (*store.DB).FindJobsByIDs),
		Parts:           lazy(db, (*store.DB).FindPartsByIDs),
		CustVehicles:    lazy(db, (*store.DB).FindVehiclesByCustomerIDs),
		VisitOrders:     lazy(db, (*store.DB).FindOrdersByVisitIDs),
		OrderJobs:       lazy(db, (*store.DB).FindJobsByOrderIDs),
		OrderParts:      lazy(db, (*store.DB).FindPartLinesByOrderIDs),
		OrderExtra:      lazy(db, (*store.DB).FindAdditionalWorkByOrderIDs),
		OrderChecks:     lazy(db, (*store.DB).FindChecksByOrderIDs),
		OrderSettlement: lazy(db, (*store.DB).FindSettlementsByOrderIDs),

		Reservations:      lazy(db, (*store.DB).FindReservationsByIDs),
		PartIssues:        lazy(db, (*store.DB).FindPartIssuesByIDs),
		StockReceipts:     lazy(db, (*store.DB).FindStockReceiptsByIDs),
		Claims:            lazy(db, (*store.DB).FindWarrantyClaimsByIDs),
		RetainedParts:     lazy(db, (*store.DB).FindRetainedPartsByIDs),
		Callbacks:         lazy(db, (*store.DB).FindCallbacksByIDs),
		Complaints:        lazy(db, (*store.DB).FindComplaintsByIDs),
		ServicePlans:      lazy(db, (*store.DB).FindServicePlansByIDs),
		Reminders:         lazy(db, (*store.DB).FindRemindersByIDs),
		OrderReservations: lazy(db, (*store.DB).FindReservationsByOrderIDs),
		OrderIssues:       lazy(db, (*store.DB).FindPartIssuesByOrderIDs),
		OrderClaims:       lazy(db, (*store.DB).FindWarrantyClaimsByOrderIDs),
		OrderCallbacks:    lazy(db, (*store.DB).FindCallbacksByOrderIDs),
		JobWarranty:       lazy(db, (*store.DB).FindWarrantyDecisionsByJobIDs),
		ClaimJobs:         lazy(db, (*store.DB).FindClaimJobIDs),

		PurchaseLines:  lazy(db, (*store.DB).FindPurchaseOrderLines),
		StockStores:    lazy(db, (*store.DB).FindStockStoresByIDs),
		StockTransfers: lazy(db, (*store.DB).FindStockTransfersByIDs),
		Suppliers:      lazy(db, (*store.DB).FindSuppliersByIDs),
		PurchaseOrders: lazy(db, (*store.DB).FindPurchaseOrdersByIDs),
		Stocktakes:     lazy(db, (*store.DB).FindStocktakesByIDs),
		Receivables:    lazy(db, (*store.DB).FindReceivablesByIDs),

		PersonalNames: lazy(db, (*store.DB).FindPersonalNamesByCustomerIDs),
	}
}

// Loader is a batched loader made on first use: every root field gets a
// Loaders of some thirty loaders and uses two or three, and making them all
// cost ~10 µs and 156 allocations per root field.
type Loader[K comparable, V any] struct {
	once sync.Once
	l    *dataloader.Loader[K, V]
	db   *store.DB
	find func(*store.DB, context.Context, []K) (map[K]V, error)
}

func lazy[K comparable, V any](db *store.DB, find func(*store.DB, context.Context, []K) (map[K]V, error)) *Loader[K, V] {
	return &Loader[K, V]{db: db, find: find}
}

func (z *Loader[K, V]) loader() *dataloader.Loader[K, V] {
	z.once.Do(func() {
		z.l = newLoader(func(ctx context.Context, keys []K) (map[K]V, error) { return z.find(z.db, ctx, keys) })
	})
	return z.l
}

// Load loads a key, batched with the other keys asked within the window.
func (z *Loader[K, V]) Load(ctx context.Context, key K) dataloader.Thunk[V] {
	return z.loader().Load(ctx, key)
}

// LoadMany loads keys, batched like Load.
func (z *Loader[K, V]) LoadMany(ctx context.Context, keys []K) dataloader.ThunkMany[V] {
	return z.loader().LoadMany(ctx, keys)
}

// Prime caches a value read otherwise, so Load returns it without a statement.
func (z *Loader[K, V]) Prime(ctx context.Context, key K, v V) {
	z.loader().Prime(ctx, key, v)
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

// rootLoaders are a root field's loaders, made on first use: most mutations'
// payloads read nothing through a loader, and then make none (some forty
// allocations per root field).
type rootLoaders struct {
	once sync.Once
	db   *store.DB
	l    *Loaders
}

func (r *rootLoaders) get() *Loaders {
	r.once.Do(func() {
		if r.l == nil {
			r.l = NewLoaders(r.db)
		}
	})
	return r.l
}

// WithLoaders returns ctx carrying loaders.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, &rootLoaders{l: l})
}

// withNewLoaders returns ctx carrying fresh loaders over db, made when a
// resolver first asks for them.
func withNewLoaders(ctx context.Context, db *store.DB) context.Context {
	return context.WithValue(ctx, loadersKey{}, &rootLoaders{db: db})
}

func loaders(ctx context.Context) *Loaders {
	return ctx.Value(loadersKey{}).(*rootLoaders).get()
}

// load loads one key; a nil key gives nil.
func load[K comparable, V any](ctx context.Context, l *Loader[K, V], key *K) (V, error) {
	if key == nil {
		var zero V
		return zero, nil
	}
	return l.Load(ctx, *key)()
}
