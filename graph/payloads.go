package graph

import (
	"context"

	"bayboard/graph/model"
	"bayboard/shop"
)

// A payload holds what the store returned; its record and order fields are
// resolvers (see graph/model/payloads.go), so the order of a job, or the
// record as it stands now on CONFLICT, is read only when the client selects
// it, in gqlgen's own terms.

// orderPayload builds a repair-order payload; on CONFLICT its repairOrder is
// the order as it stands now, so the client can show what changed.
func (r *mutationResolver) orderPayload(ctx context.Context, o *shop.Order, err error, id shop.OrderID) (*model.RepairOrderPayload, error) {
	p := &model.RepairOrderPayload{Order: o}
	if shop.ErrorCode(err) == shop.ECONFLICT {
		p.Conflicted = id
	}
	p.UserErrors, err = userErrors(err)
	return p, err
}

// jobPayload builds a job payload; on CONFLICT its job is the job as it
// stands now.
func (r *mutationResolver) jobPayload(ctx context.Context, j *shop.Job, err error, id shop.JobID) (*model.JobPayload, error) {
	p := &model.JobPayload{Job: j}
	if shop.ErrorCode(err) == shop.ECONFLICT {
		p.Conflicted = id
	}
	p.UserErrors, err = userErrors(err)
	return p, err
}

// additionalPayload builds an additional-work payload as jobPayload does.
func (r *mutationResolver) additionalPayload(ctx context.Context, w *shop.AdditionalWork, err error, id shop.AdditionalWorkID) (*model.AdditionalWorkPayload, error) {
	p := &model.AdditionalWorkPayload{Work: w}
	if shop.ErrorCode(err) == shop.ECONFLICT {
		p.Conflicted = id
	}
	p.UserErrors, err = userErrors(err)
	return p, err
}

// payloadOrder is a payload's repairOrder: the order after the change (read
// after the store's transaction, as the client's own read would), or on
// CONFLICT the order as it stands now; null when there is neither. A record
// that vanished or is out of sight is null, as it was in the payload.
func (r *Resolver) payloadOrder(ctx context.Context, changed *shop.Order, id shop.OrderID) (*shop.Order, error) {
	if changed != nil || id == 0 {
		return changed, nil
	}
	o, err := r.DB.FindOrderByID(ctx, id)
	if err != nil {
		return nil, nil
	}
	return o, nil
}

// payloadJob is a job payload's job.
func (r *Resolver) payloadJob(ctx context.Context, p *model.JobPayload) (*shop.Job, error) {
	j, err := p.Current(func(id shop.JobID) (*shop.Job, error) { return r.DB.FindJobByID(ctx, id) })
	if err != nil {
		return nil, nil
	}
	return j, nil
}

// payloadWork is an additional-work payload's request.
func (r *Resolver) payloadWork(ctx context.Context, p *model.AdditionalWorkPayload) (*shop.AdditionalWork, error) {
	w, err := p.Current(func(id shop.AdditionalWorkID) (*shop.AdditionalWork, error) {
		return r.DB.FindAdditionalWorkByID(ctx, id)
	})
	if err != nil || w == nil {
		return nil, nil
	}
	return w, nil
}

// node fetches any record by global ID; a malformed ID is INVALID, an
// unknown or foreign one is null. One record is read at once, without the
// loaders' batching window to wait for.
func (r *queryResolver) node(ctx context.Context, id string) (model.Node, error) {
	get, err := r.nodeFetch(ctx, id, false)
	if err != nil {
		return nil, err
	}
	return get()
}

// nodes fetches records by global ID, null for each unknown or foreign one.
// Every ID is asked of the loaders before any is awaited, so each type costs
// one statement.
func (r *queryResolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	gets := make([]func() (model.Node, error), len(ids))
	for i, id := range ids {
		get, err := r.nodeFetch(ctx, id, true)
		if err != nil {
			return nil, err
		}
		gets[i] = get
	}
	out := make([]model.Node, len(ids))
	for i, get := range gets {
		n, err := get()
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// nodeFetch returns the fetch of the record of a global ID: through the
// loaders when batch, else straight from the store.
func (r *queryResolver) nodeFetch(ctx context.Context, id string, batch bool) (func() (model.Node, error), error) {
	typ, n, err := shop.ParseGlobalID(id)
	if err != nil {
		return nil, err
	}
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	switch typ {
	case shop.TypeCallback, shop.TypeComplaint, shop.TypeServicePlan, shop.TypeReminder:
		if err := shop.MayReadFollowUps(a); err != nil {
			return nil, err
		}
	}
	l := loaders(ctx)
	switch typ {
	case shop.TypeSite:
		return now(nullIfNotFound(r.DB.FindSiteByID(ctx, shop.SiteID(n)))), nil
	case shop.TypeUser:
		return fetch(ctx, batch, l.Users, r.DB.FindUsersByIDs, shop.UserID(n)), nil
	case shop.TypeBay:
		return fetch(ctx, batch, l.Bays, r.DB.FindBaysByIDs, shop.BayID(n)), nil
	case shop.TypeCustomer:
		return fetch(ctx, batch, l.Customers, r.DB.FindCustomersByIDs, shop.CustomerID(n)), nil
	case shop.TypeVehicle:
		return fetch(ctx, batch, l.Vehicles, r.DB.FindVehiclesByIDs, shop.VehicleID(n)), nil
	case shop.TypeAppointment:
		return fetch(ctx, batch, l.Appointments, r.DB.FindAppointmentsByIDs, shop.AppointmentID(n)), nil
	case shop.TypeVisit:
		return fetch(ctx, batch, l.Visits, r.DB.FindVisitsByIDs, shop.VisitID(n)), nil
	case shop.TypeOrder:
		if !batch {
			return now(nullIfNotFound(r.DB.FindOrderByID(ctx, shop.OrderID(n)))), nil
		}
		return fetch(ctx, batch, l.Orders, r.DB.FindOrdersByIDs, shop.OrderID(n)), nil
	case shop.TypeJob:
		return fetch(ctx, batch, l.Jobs, r.DB.FindJobsByIDs, shop.JobID(n)), nil
	case shop.TypePart:
		return fetch(ctx, batch, l.Parts, r.DB.FindPartsByIDs, shop.PartID(n)), nil
	case shop.TypeAdditionalWork:
		return now(nullIfNotFound(r.DB.FindAdditionalWorkByID(ctx, shop.AdditionalWorkID(n)))), nil
	case shop.TypePartReservation:
		return fetch(ctx, batch, l.Reservations, r.DB.FindReservationsByIDs, shop.PartReservationID(n)), nil
	case shop.TypePartIssue:
		return fetch(ctx, batch, l.PartIssues, r.DB.FindPartIssuesByIDs, shop.PartIssueID(n)), nil
	case shop.TypeStockReceipt:
		return fetch(ctx, batch, l.StockReceipts, r.DB.FindStockReceiptsByIDs, shop.StockReceiptID(n)), nil
	case shop.TypeWarrantyClaim:
		return fetch(ctx, batch, l.Claims, r.DB.FindWarrantyClaimsByIDs, shop.WarrantyClaimID(n)), nil
	case shop.TypeRetainedPart:
		return fetch(ctx, batch, l.RetainedParts, r.DB.FindRetainedPartsByIDs, shop.RetainedPartID(n)), nil
	case shop.TypeCallback:
		return fetch(ctx, batch, l.Callbacks, r.DB.FindCallbacksByIDs, shop.CallbackID(n)), nil
	case shop.TypeComplaint:
		return fetch(ctx, batch, l.Complaints, r.DB.FindComplaintsByIDs, shop.ComplaintID(n)), nil
	case shop.TypeServicePlan:
		return fetch(ctx, batch, l.ServicePlans, r.DB.FindServicePlansByIDs, shop.ServicePlanID(n)), nil
	case shop.TypeReminder:
		return fetch(ctx, batch, l.Reminders, r.DB.FindRemindersByIDs, shop.ReminderID(n)), nil
	case shop.TypeStockStore:
		return fetch(ctx, batch, l.StockStores, r.DB.FindStockStoresByIDs, shop.StockStoreID(n)), nil
	case shop.TypeStockTransfer:
		return fetch(ctx, batch, l.StockTransfers, r.DB.FindStockTransfersByIDs, shop.StockTransferID(n)), nil
	case shop.TypeSupplier:
		return fetch(ctx, batch, l.Suppliers, r.DB.FindSuppliersByIDs, shop.SupplierID(n)), nil
	case shop.TypePurchaseOrder:
		return fetch(ctx, batch, l.PurchaseOrders, r.DB.FindPurchaseOrdersByIDs, shop.PurchaseOrderID(n)), nil
	case shop.TypeStocktake:
		return fetch(ctx, batch, l.Stocktakes, r.DB.FindStocktakesByIDs, shop.StocktakeID(n)), nil
	case shop.TypeReceivable:
		return fetch(ctx, batch, l.Receivables, r.DB.FindReceivablesByIDs, shop.ReceivableID(n)), nil
	default:
		return nil, shop.FieldErrorf("id", "Records of type %s cannot be fetched by ID; fetch them through their repair order.", typ)
	}
}

// fetch reads the record of key through the loader l when batch (the read
// waits for the loader's window), else at once with find, its batch finder.
func fetch[K comparable, V any](ctx context.Context, batch bool, l *Loader[K, *V],
	find func(context.Context, []K) (map[K]*V, error), key K) func() (model.Node, error) {
	if batch {
		th := l.Load(ctx, key)
		return func() (model.Node, error) { return nonNil(th()) }
	}
	return func() (model.Node, error) {
		m, err := find(ctx, []K{key})
		if err != nil {
			return nil, err
		}
		return nonNil(m[key], nil)
	}
}

// now wraps a record already read as a fetch.
func now[T any](v *T, err error) func() (model.Node, error) {
	return func() (model.Node, error) { return nonNil(v, err) }
}

// nonNil turns a typed nil pointer into an untyped nil interface, so a
// missing record becomes null rather than an empty object.
func nonNil[T any](v *T, err error) (model.Node, error) {
	if err != nil || v == nil {
		return nil, err
	}
	return v, nil
}

// nullIfNotFound maps NOT_FOUND to null: for lookups by ID, a record the
// caller may not see looks exactly like one that does not exist.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if shop.ErrorCode(err) == shop.ENOTFOUND {
		return nil, nil
	}
	return v, err
}

// mustLoad loads a record a non-null field refers to.
func mustLoad[K comparable, V any](ctx context.Context, l *Loader[K, *V], key K, kind string) (*V, error) {
	v, err := l.Load(ctx, key)()
	if err == nil && v == nil {
		return nil, shop.Errorf(shop.ENOTFOUND, "The %s of this record is not visible to you.", kind)
	}
	return v, err
}

// list returns a non-nil slice for list fields.
func list[V any](v []V, err error) ([]V, error) {
	if v == nil {
		v = []V{}
	}
	return v, err
}

// payloadJobOrder is a job payload's repairOrder: the order of its job, read
// after the store's transaction; null when the payload has no job.
func (r *Resolver) payloadJobOrder(ctx context.Context, p *model.JobPayload) (*shop.Order, error) {
	j, _ := r.payloadJob(ctx, p)
	if j == nil {
		return nil, nil
	}
	return r.DB.FindOrderByID(ctx, j.OrderID)
}

// payloadWorkOrder is an additional-work payload's repairOrder, as
// payloadJobOrder.
func (r *Resolver) payloadWorkOrder(ctx context.Context, p *model.AdditionalWorkPayload) (*shop.Order, error) {
	w, _ := r.payloadWork(ctx, p)
	if w == nil {
		return nil, nil
	}
	return r.DB.FindOrderByID(ctx, w.OrderID)
}
