package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"bayboard/shop"
	"bayboard/store"
)

// The loaders batch by time: keys asked for within a short window share one
// statement. gqlgen resolves a page of visits in many goroutines, and under
// load they do not always ask within one window: the customer-history query
// (customer → visits → orders → jobs, parts, checks …) then ran more
// statements the more visits it showed. So the visits resolver looks ahead:
// it reads, one statement per kind, what the query selects below the page and
// primes the loaders; the nested resolvers then read from their caches.

// selection is the sub-fields selected below a field.
type selection []graphql.CollectedField

// selected returns the sub-fields selected below the field being resolved,
// whose type is typ.
func selected(ctx context.Context, typ string) selection {
	return graphql.CollectFieldsCtx(ctx, []string{typ})
}

// under returns the sub-fields selected below the fields called name, whose
// type is typ.
func (s selection) under(ctx context.Context, name, typ string) selection {
	oc := graphql.GetOperationContext(ctx)
	var out selection
	for _, f := range s {
		if f.Name == name {
			out = append(out, graphql.CollectFields(oc, f.Selections, []string{typ, "Node"})...)
		}
	}
	return out
}

// has reports whether any of the names is selected.
func (s selection) has(names ...string) bool {
	for _, f := range s {
		for _, n := range names {
			if f.Name == n {
				return true
			}
		}
	}
	return false
}

// prefetchVisits primes the loaders with what the query selects below a page
// of visits (conn is the selection of the VisitConnection).
func prefetchVisits(ctx context.Context, db *store.DB, visits []*shop.Visit, conn selection) error {
	l := loaders(ctx)
	visit := conn.under(ctx, "edges", "VisitEdge").under(ctx, "node", "Visit")
	if len(visits) == 0 || len(visit) == 0 {
		return nil
	}
	users := map[shop.UserID]bool{}
	var bays []shop.BayID
	var partIDs []shop.PartID
	visitIDs := make([]shop.VisitID, len(visits))
	for i, v := range visits {
		visitIDs[i] = v.ID
		l.Visits.Prime(ctx, v.ID, v)
		if visit.has("advisor") {
			users[v.AdvisorID] = true
		}
	}
	if visit.has("vehicle") {
		ids := make([]shop.VehicleID, len(visits))
		for i, v := range visits {
			ids[i] = v.VehicleID
		}
		if err := prime(ctx, l.Vehicles, ids, db.FindVehiclesByIDs); err != nil {
			return err
		}
	}

	order := visit.under(ctx, "repairOrders", "RepairOrder")
	if len(order) > 0 {
		byVisit, err := db.FindOrdersByVisitIDs(ctx, visitIDs)
		if err != nil {
			return err
		}
		var orderIDs []shop.OrderID
		for _, id := range visitIDs {
			l.VisitOrders.Prime(ctx, id, byVisit[id])
			for _, o := range byVisit[id] {
				orderIDs = append(orderIDs, o.ID)
				l.Orders.Prime(ctx, o.ID, o)
				if order.has("advisor") {
					users[o.AdvisorID] = true
				}
			}
		}
		job, part, extra, check := order.under(ctx, "jobs", "Job"), order.under(ctx, "partLines", "PartLine"),
			order.under(ctx, "additionalWork", "AdditionalWorkRequest"), order.under(ctx, "checks", "Check")
		settlement := order.under(ctx, "settlement", "Settlement")
		bill := order.under(ctx, "bill", "Bill")

		var jobIDs []shop.JobID
		if len(orderIDs) > 0 && (order.has("jobs", "bill", "blockers", "progress") || check.has("job") || extra.has("job", "foundOnJob") ||
			part.has("job") || followUpsNeedJobs(ctx, order)) {
			jobs, err := primeLists(ctx, l.OrderJobs, orderIDs, db.FindJobsByOrderIDs)
			if err != nil {
				return err
			}
			for _, j := range jobs {
				jobIDs = append(jobIDs, j.ID)
				l.Jobs.Prime(ctx, j.ID, j)
				if j.TechnicianID != nil && job.has("technician") {
					users[*j.TechnicianID] = true
				}
				if j.BayID != nil && job.has("bay") {
					bays = append(bays, *j.BayID)
				}
			}
		}
		if len(orderIDs) > 0 && (order.has("partLines", "bill") || job.has("partLines")) {
			parts, err := primeLists(ctx, l.OrderParts, orderIDs, db.FindPartLinesByOrderIDs)
			if err != nil {
				return err
			}
			for _, p := range parts {
				if p.PartID != nil && (part.has("part") || bill.has("unavailableParts")) {
					partIDs = append(partIDs, *p.PartID)
				}
			}
		}
		if len(orderIDs) > 0 && len(extra) > 0 {
			ws, err := primeLists(ctx, l.OrderExtra, orderIDs, db.FindAdditionalWorkByOrderIDs)
			if err != nil {
				return err
			}
			for _, w := range ws {
				if extra.has("requestedBy") {
					users[w.RequestedBy] = true
				}
				if w.DecidedBy != nil && extra.has("decidedBy") {
					users[*w.DecidedBy] = true
				}
			}
		}
		if len(orderIDs) > 0 && len(check) > 0 {
			cs, err := primeLists(ctx, l.OrderChecks, orderIDs, db.FindChecksByOrderIDs)
			if err != nil {
				return err
			}
			for _, c := range cs {
				if check.has("checkedBy") {
					users[c.CheckedBy] = true
				}
			}
		}
		if len(orderIDs) > 0 && len(settlement) > 0 {
			m, err := db.FindSettlementsByOrderIDs(ctx, orderIDs)
			if err != nil {
				return err
			}
			for _, id := range orderIDs {
				l.OrderSettlement.Prime(ctx, id, m[id])
				if s := m[id]; s != nil && settlement.has("settledBy") {
					users[s.SettledBy] = true
				}
			}
		}
		if len(orderIDs) > 0 {
			if err := prefetchFollowUps(ctx, db, orderIDs, jobIDs, order, users, &partIDs); err != nil {
				return err
			}
		}
	}

	if len(users) > 0 {
		ids := make([]shop.UserID, 0, len(users))
		for id := range users {
			ids = append(ids, id)
		}
		if err := prime(ctx, l.Users, ids, db.FindUsersByIDs); err != nil {
			return err
		}
	}
	if len(bays) > 0 {
		if err := prime(ctx, l.Bays, bays, db.FindBaysByIDs); err != nil {
			return err
		}
	}
	if len(partIDs) > 0 {
		if err := prime(ctx, l.Parts, partIDs, db.FindPartsByIDs); err != nil {
			return err
		}
	}
	return nil
}

// prime reads records by key in one statement and primes the loader with
// every key, found or not: a missing one loads as nil, as from the loader.
func prime[K comparable, V any](ctx context.Context, l *Loader[K, V], keys []K,
	find func(context.Context, []K) (map[K]V, error)) error {
	m, err := find(ctx, keys)
	if err != nil {
		return err
	}
	for _, k := range keys {
		l.Prime(ctx, k, m[k])
	}
	return nil
}

// primeLists reads the lists of many parents in one statement, primes the
// loader with each parent's list (empty ones too) and returns all the items.
func primeLists[K comparable, V any](ctx context.Context, l *Loader[K, []V], keys []K,
	find func(context.Context, []K) (map[K][]V, error)) ([]V, error) {
	m, err := find(ctx, keys)
	if err != nil {
		return nil, err
	}
	var all []V
	for _, k := range keys {
		l.Prime(ctx, k, m[k])
		all = append(all, m[k]...)
	}
	return all, nil
}
