package graph

import (
	"context"

	"github.com/graph-gophers/dataloader/v7"

	"bayboard/graph/model"
	"bayboard/shop"
)

// orderPayload builds a repair-order payload; on CONFLICT it carries the
// order as it stands now, so the client can show what changed.
func (r *mutationResolver) orderPayload(ctx context.Context, o *shop.Order, err error, id shop.OrderID) (*model.RepairOrderPayload, error) {
	if shop.ErrorCode(err) == shop.ECONFLICT && id != 0 {
		o, _ = r.DB.FindOrderByID(ctx, id)
	}
	ues, err := userErrors(err)
	return &model.RepairOrderPayload{RepairOrder: o, UserErrors: ues}, err
}

// jobPayload builds a job payload with the job's order as it stands after the change.
func (r *mutationResolver) jobPayload(ctx context.Context, j *shop.Job, err error, id shop.JobID) (*model.JobPayload, error) {
	if shop.ErrorCode(err) == shop.ECONFLICT {
		j, _ = r.DB.FindJobByID(ctx, id)
	}
	ues, err := userErrors(err)
	p := &model.JobPayload{Job: j, UserErrors: ues}
	if j != nil && err == nil {
		p.RepairOrder, err = r.DB.FindOrderByID(ctx, j.OrderID)
	}
	return p, err
}

// additionalPayload builds an additional-work payload with its order.
func (r *mutationResolver) additionalPayload(ctx context.Context, w *shop.AdditionalWork, err error, id shop.AdditionalWorkID) (*model.AdditionalWorkPayload, error) {
	if shop.ErrorCode(err) == shop.ECONFLICT && id != 0 {
		w, _ = r.DB.FindAdditionalWorkByID(ctx, id)
	}
	ues, err := userErrors(err)
	p := &model.AdditionalWorkPayload{AdditionalWork: w, UserErrors: ues}
	if w != nil && err == nil {
		p.RepairOrder, err = r.DB.FindOrderByID(ctx, w.OrderID)
	}
	return p, err
}

// node fetches any record by global ID; a malformed ID is INVALID, an
// unknown or foreign one is null.
func (r *queryResolver) node(ctx context.Context, id string) (model.Node, error) {
	typ, n, err := shop.ParseGlobalID(id)
	if err != nil {
		return nil, err
	}
	if _, err := shop.RequireActor(ctx); err != nil {
		return nil, err
	}
	l := loaders(ctx)
	var v model.Node
	switch typ {
	case shop.TypeSite:
		v, err = nullIfNotFound(r.DB.FindSiteByID(ctx, shop.SiteID(n)))
	case shop.TypeUser:
		v, err = nonNil(l.Users.Load(ctx, shop.UserID(n))())
	case shop.TypeBay:
		v, err = nonNil(l.Bays.Load(ctx, shop.BayID(n))())
	case shop.TypeCustomer:
		v, err = nonNil(l.Customers.Load(ctx, shop.CustomerID(n))())
	case shop.TypeVehicle:
		v, err = nonNil(l.Vehicles.Load(ctx, shop.VehicleID(n))())
	case shop.TypeAppointment:
		v, err = nonNil(l.Appointments.Load(ctx, shop.AppointmentID(n))())
	case shop.TypeVisit:
		v, err = nonNil(l.Visits.Load(ctx, shop.VisitID(n))())
	case shop.TypeOrder:
		v, err = nonNil(l.Orders.Load(ctx, shop.OrderID(n))())
	case shop.TypeJob:
		v, err = nonNil(l.Jobs.Load(ctx, shop.JobID(n))())
	case shop.TypePart:
		v, err = nonNil(l.Parts.Load(ctx, shop.PartID(n))())
	case shop.TypeAdditionalWork:
		v, err = nullIfNotFound(r.DB.FindAdditionalWorkByID(ctx, shop.AdditionalWorkID(n)))
	case shop.TypePartReservation:
		v, err = nonNil(l.Reservations.Load(ctx, shop.PartReservationID(n))())
	case shop.TypePartIssue:
		v, err = nonNil(l.PartIssues.Load(ctx, shop.PartIssueID(n))())
	case shop.TypeStockReceipt:
		v, err = nonNil(l.StockReceipts.Load(ctx, shop.StockReceiptID(n))())
	case shop.TypeWarrantyClaim:
		v, err = nonNil(l.Claims.Load(ctx, shop.WarrantyClaimID(n))())
	case shop.TypeRetainedPart:
		v, err = nonNil(l.RetainedParts.Load(ctx, shop.RetainedPartID(n))())
	case shop.TypeCallback:
		v, err = nonNil(l.Callbacks.Load(ctx, shop.CallbackID(n))())
	case shop.TypeComplaint:
		v, err = nonNil(l.Complaints.Load(ctx, shop.ComplaintID(n))())
	case shop.TypeServicePlan:
		v, err = nonNil(l.ServicePlans.Load(ctx, shop.ServicePlanID(n))())
	case shop.TypeReminder:
		v, err = nonNil(l.Reminders.Load(ctx, shop.ReminderID(n))())
	default:
		return nil, shop.FieldErrorf("id", "Records of type %s cannot be fetched by ID; fetch them through their repair order.", typ)
	}
	return v, err
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
func mustLoad[K comparable, V any](ctx context.Context, l *dataloader.Loader[K, *V], key K, kind string) (*V, error) {
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
