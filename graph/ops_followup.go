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

// listPage decodes the first and after arguments of a plain list: after is
// the global ID (of type typ) of the last item of the previous page.
// Errors: INVALID.
func listPage(first *int, after *string, typ string) (store.Page, error) {
	n, err := pageSize(first, store.MaxListPage, store.MaxListPage)
	if err != nil {
		return store.Page{}, err
	}
	a, err := optID("after", typ, after)
	if err != nil || a == nil {
		return store.Page{First: n}, err
	}
	return store.Page{First: n, After: *a}, nil
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

// current returns the record as it stands now when err is a CONFLICT (a
// stale expectedVersion, a concurrent change), so the client can show what
// changed, as orderPayload does; otherwise, or without an ID, v itself.
func current[K comparable, V any](ctx context.Context, v *V, err error, id K, find func(context.Context, K) (*V, error)) *V {
	var none K
	if shop.ErrorCode(err) == shop.ECONFLICT && id != none {
		v, _ = find(ctx, id)
	}
	return v
}

// claimPayload builds a warranty claim payload; id names the claim changed (0 when new).
func (r *mutationResolver) claimPayload(ctx context.Context, c *shop.WarrantyClaim, err error, id shop.WarrantyClaimID) (*model.WarrantyClaimPayload, error) {
	c = current(ctx, c, err, id, r.DB.FindWarrantyClaimByID)
	ues, err := userErrors(err)
	return &model.WarrantyClaimPayload{Claim: c, UserErrors: ues}, err
}

// reservationPayload builds a reservation payload; id names the reservation changed (0 when new).
func (r *mutationResolver) reservationPayload(ctx context.Context, res *shop.PartReservation, err error, id shop.PartReservationID) (*model.PartReservationPayload, error) {
	res = current(ctx, res, err, id, r.DB.FindReservationByID)
	ues, err := userErrors(err)
	return &model.PartReservationPayload{Reservation: res, UserErrors: ues}, err
}

func issuePayload(is *shop.PartIssue, err error) (*model.PartIssuePayload, error) {
	ues, err := userErrors(err)
	return &model.PartIssuePayload{Issue: is, UserErrors: ues}, err
}

// retainedPayload builds a retained part payload; id names the part changed (0 when new).
func (r *mutationResolver) retainedPayload(ctx context.Context, p *shop.RetainedPart, err error, id shop.RetainedPartID) (*model.RetainedPartPayload, error) {
	p = current(ctx, p, err, id, r.DB.FindRetainedPartByID)
	ues, err := userErrors(err)
	return &model.RetainedPartPayload{RetainedPart: p, UserErrors: ues}, err
}

// complaintPayload builds a complaint payload; id names the complaint changed (0 when new).
func (r *mutationResolver) complaintPayload(ctx context.Context, k *shop.Complaint, err error, id shop.ComplaintID) (*model.ComplaintPayload, error) {
	k = current(ctx, k, err, id, r.DB.FindComplaintByID)
	ues, err := userErrors(err)
	return &model.ComplaintPayload{Complaint: k, UserErrors: ues}, err
}

// callbackPayload builds a callback payload, with the callback as it stands
// now after a CONFLICT.
func (r *mutationResolver) callbackPayload(ctx context.Context, res *store.CallbackResult, err error, id shop.CallbackID) (*model.RecordCallbackPayload, error) {
	p := &model.RecordCallbackPayload{}
	if res != nil {
		p.Callback, p.Complaint = res.Callback, res.Complaint
	}
	p.Callback = current(ctx, p.Callback, err, id, r.DB.FindCallbackByID)
	p.UserErrors, err = userErrors(err)
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
	conn := &model.PartConnection{}
	conn.Edges, conn.PageInfo = connection(ps, n, func(p *shop.Part) string { return idCursor("part", int64(p.ID)) },
		func(cursor string, p *shop.Part) *model.PartEdge { return &model.PartEdge{Cursor: cursor, Node: p} })
	return conn, nil
}

// partReservations decodes the one filter given and lists reservations.
func (r *queryResolver) partReservations(ctx context.Context, partID, orderID, appointmentID *string, first *int, after *string) ([]*shop.PartReservation, error) {
	page, err := listPage(first, after, shop.TypePartReservation)
	if err != nil {
		return nil, err
	}
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
	return list(r.DB.FindReservations(ctx, pp, oo, aa, page))
}

// warrantyClaims lists a site's claims.
func (r *queryResolver) warrantyClaims(ctx context.Context, siteID string, orderID *string, states []shop.ClaimState, first *int, after *string) ([]*shop.WarrantyClaim, error) {
	site, err := siteArg(siteID)
	if err != nil {
		return nil, err
	}
	page, err := listPage(first, after, shop.TypeWarrantyClaim)
	if err != nil {
		return nil, err
	}
	o, err := optID("orderId", shop.TypeOrder, orderID)
	if err != nil {
		return nil, err
	}
	f := store.ClaimFilter{SiteID: site, States: states, Page: page}
	if o != nil {
		id := shop.OrderID(*o)
		f.OrderID = &id
	}
	return list(r.DB.FindWarrantyClaims(ctx, f))
}

// claimJobs loads a claim's jobs, batched across claims.
func (r *Resolver) claimJobs(ctx context.Context, c *shop.WarrantyClaim) ([]*shop.Job, error) {
	ids, err := loaders(ctx).ClaimJobs.Load(ctx, c.ID)()
	if err != nil || len(ids) == 0 {
		return []*shop.Job{}, err
	}
	jobs, errs := loaders(ctx).Jobs.LoadMany(ctx, ids)()
	out := make([]*shop.Job, 0, len(jobs))
	for i, j := range jobs {
		if len(errs) > i && errs[i] != nil {
			return nil, errs[i]
		}
		if j != nil {
			out = append(out, j)
		}
	}
	return out, nil
}

// followUpSite parses the site of a follow-up list (callbacks, complaints,
// reminders, invitations) and refuses a role that may not read them.
func followUpSite(ctx context.Context, siteID string) (shop.SiteID, error) {
	site, err := siteArg(siteID)
	if err != nil {
		return 0, err
	}
	return site, shop.MayReadFollowUps(shop.ActorFromContext(ctx))
}

// followUpDay is followUpSite with the local day the list is for (today at
// the site when date is nil).
func (r *queryResolver) followUpDay(ctx context.Context, siteID string, date *time.Time) (shop.SiteID, time.Time, error) {
	site, err := followUpSite(ctx, siteID)
	if err != nil {
		return 0, time.Time{}, err
	}
	day, err := r.localDay(ctx, site, date)
	return site, day, err
}
