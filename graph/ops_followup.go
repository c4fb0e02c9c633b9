package graph

// Helpers of the parts, warranty, callback, complaint, reminder and report
// resolvers: argument decoding and payload building. No business rule here.

import (
	"context"
	"time"

	"bayboard/graph/model"
	"bayboard/shop"
	"bayboard/store"
)

// optID decodes an optional global ID argument of the wanted type.
func optID(field, typ string, id *string) (*int64, error) {
	if id == nil {
		return nil, nil
	}
	n, err := parseID(field, typ, *id)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// siteArg decodes a siteId argument.
func siteArg(id string) (shop.SiteID, error) {
	n, err := parseID("siteId", shop.TypeSite, id)
	return shop.SiteID(n), err
}

// localDay returns the given local date, or today in the site's time zone.
func (r *Resolver) localDay(ctx context.Context, site shop.SiteID, date *time.Time) (time.Time, error) {
	if date != nil {
		return shop.LocalDate(*date, time.UTC), nil
	}
	s, err := r.DB.FindSiteByID(ctx, site)
	if err != nil {
		return time.Time{}, err
	}
	return r.DB.Today(s), nil
}

// loadUser loads a user a record refers to (nil when none or not visible).
func loadUser(ctx context.Context, id *shop.UserID) (*shop.User, error) {
	return load(ctx, loaders(ctx).Users, id)
}

// workTypeCounts lists a count for every type of work, in a stable order.
func workTypeCounts(m map[shop.WorkType]int) []*model.WorkTypeCount {
	types := []shop.WorkType{shop.WorkMaintenance, shop.WorkRepair, shop.WorkWarranty, shop.WorkAccident}
	out := make([]*model.WorkTypeCount, len(types))
	for i, t := range types {
		out[i] = &model.WorkTypeCount{WorkType: t, Count: m[t]}
	}
	return out
}

// firstOf returns the only element of a one-key batch result.
func firstOf[K comparable, V any](m map[K][]V, err error, k K) ([]V, error) {
	if err != nil {
		return nil, err
	}
	if v := m[k]; v != nil {
		return v, nil
	}
	return []V{}, nil
}

func claimPayload(c *shop.WarrantyClaim, err error) (*model.WarrantyClaimPayload, error) {
	ues, err := userErrors(err)
	return &model.WarrantyClaimPayload{Claim: c, UserErrors: ues}, err
}

func reservationPayload(res *shop.PartReservation, err error) (*model.PartReservationPayload, error) {
	ues, err := userErrors(err)
	return &model.PartReservationPayload{Reservation: res, UserErrors: ues}, err
}

func issuePayload(is *shop.PartIssue, err error) (*model.PartIssuePayload, error) {
	ues, err := userErrors(err)
	return &model.PartIssuePayload{Issue: is, UserErrors: ues}, err
}

func retainedPayload(p *shop.RetainedPart, err error) (*model.RetainedPartPayload, error) {
	ues, err := userErrors(err)
	return &model.RetainedPartPayload{RetainedPart: p, UserErrors: ues}, err
}

func complaintPayload(k *shop.Complaint, err error) (*model.ComplaintPayload, error) {
	ues, err := userErrors(err)
	return &model.ComplaintPayload{Complaint: k, UserErrors: ues}, err
}

func callbackPayload(res *store.CallbackResult, err error) (*model.RecordCallbackPayload, error) {
	ues, err := userErrors(err)
	p := &model.RecordCallbackPayload{UserErrors: ues}
	if res != nil {
		p.Callback, p.Complaint = res.Callback, res.Complaint
	}
	return p, err
}

// servicePlanPayload builds the payload with the plan's reminder tasks.
func (r *mutationResolver) servicePlanPayload(ctx context.Context, p *shop.ServicePlan, err error) (*model.ServicePlanPayload, error) {
	ues, err := userErrors(err)
	out := &model.ServicePlanPayload{ServicePlan: p, Reminders: []*shop.Reminder{}, UserErrors: ues}
	if p != nil && err == nil {
		out.Reminders, err = list(r.DB.FindRemindersByPlan(ctx, p.ID))
	}
	return out, err
}

// parts lists a site's catalogue as a connection.
func (r *queryResolver) parts(ctx context.Context, siteID string, query *string, shortOnly *bool, first *int, after *string) (*model.PartConnection, error) {
	site, err := siteArg(siteID)
	if err != nil {
		return nil, err
	}
	n, err := pageSize(first, 50, MaxPageSize)
	if err != nil {
		return nil, err
	}
	afterID, err := decodeIDCursor("part", after)
	if err != nil {
		return nil, err
	}
	f := store.PartFilter{SiteID: site, First: n, Short: shortOnly != nil && *shortOnly}
	if query != nil {
		f.Query = *query
	}
	if afterID > 0 {
		id := shop.PartID(afterID)
		f.After = &id
	}
	ps, err := r.DB.FindParts(ctx, f)
	if err != nil {
		return nil, err
	}
	conn := &model.PartConnection{Edges: []*model.PartEdge{}}
	for i, p := range ps {
		if i == n {
			break
		}
		conn.Edges = append(conn.Edges, &model.PartEdge{Cursor: idCursor("part", int64(p.ID)), Node: p})
	}
	conn.PageInfo = pageInfo(len(ps), n, func() string { return conn.Edges[0].Cursor }, func() string { return conn.Edges[len(conn.Edges)-1].Cursor })
	return conn, nil
}

// partReservations decodes the one filter given and lists reservations.
func (r *queryResolver) partReservations(ctx context.Context, partID, orderID, appointmentID *string) ([]*shop.PartReservation, error) {
	p, err := optID("partId", shop.TypePart, partID)
	if err != nil {
		return nil, err
	}
	o, err := optID("orderId", shop.TypeOrder, orderID)
	if err != nil {
		return nil, err
	}
	a, err := optID("appointmentId", shop.TypeAppointment, appointmentID)
	if err != nil {
		return nil, err
	}
	if p == nil && o == nil && a == nil {
		return nil, shop.FieldErrorf("partId", "Give a partId, an orderId or an appointmentId.")
	}
	var pp *shop.PartID
	var oo *shop.OrderID
	var aa *shop.AppointmentID
	if p != nil {
		v := shop.PartID(*p)
		pp = &v
	}
	if o != nil {
		v := shop.OrderID(*o)
		oo = &v
	}
	if a != nil {
		v := shop.AppointmentID(*a)
		aa = &v
	}
	return list(r.DB.FindReservations(ctx, pp, oo, aa))
}

// warrantyClaims lists a site's claims.
func (r *queryResolver) warrantyClaims(ctx context.Context, siteID string, orderID *string, states []shop.ClaimState) ([]*shop.WarrantyClaim, error) {
	site, err := siteArg(siteID)
	if err != nil {
		return nil, err
	}
	o, err := optID("orderId", shop.TypeOrder, orderID)
	if err != nil {
		return nil, err
	}
	f := store.ClaimFilter{SiteID: site, States: states}
	if o != nil {
		id := shop.OrderID(*o)
		f.OrderID = &id
	}
	return list(r.DB.FindWarrantyClaims(ctx, f))
}

// claimJobs loads a claim's jobs.
func (r *Resolver) claimJobs(ctx context.Context, c *shop.WarrantyClaim) ([]*shop.Job, error) {
	m, err := r.DB.FindClaimJobIDs(ctx, []shop.WarrantyClaimID{c.ID})
	ids, err := firstOf(m, err, c.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*shop.Job, 0, len(ids))
	for _, id := range ids {
		j, err := loaders(ctx).Jobs.Load(ctx, id)()
		if err != nil {
			return nil, err
		}
		if j != nil {
			out = append(out, j)
		}
	}
	return out, nil
}
