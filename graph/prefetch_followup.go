package graph

import (
	"context"

	"bayboard/shop"
	"bayboard/store"
)

// The parts, warranty and callback lists of repair orders, primed like the
// rest of the customer history (see prefetch.go): one statement per kind
// selected, whatever the number of orders.

// followUpsNeedJobs reports whether the lists below an order (order is the
// RepairOrder selection) refer to jobs, so the page's jobs must be read.
func followUpsNeedJobs(ctx context.Context, order selection) bool {
	return order.under(ctx, "partReservations", "PartReservation").has("job") ||
		order.under(ctx, "partIssues", "PartIssue").has("job") ||
		order.under(ctx, "warrantyClaims", "WarrantyClaim").has("jobs")
}

// prefetchFollowUps primes the reservations, issue slips, warranty claims
// (with their jobs), callbacks and the jobs' warranty decisions of orders,
// as far as they are selected, and adds the users and parts they refer to.
// jobIDs are the orders' jobs when they were read.
func prefetchFollowUps(ctx context.Context, db *store.DB, orderIDs []shop.OrderID, jobIDs []shop.JobID, order selection,
	users map[shop.UserID]bool, partIDs *[]shop.PartID) error {
	l := loaders(ctx)
	res, iss := order.under(ctx, "partReservations", "PartReservation"), order.under(ctx, "partIssues", "PartIssue")
	claim, cb := order.under(ctx, "warrantyClaims", "WarrantyClaim"), order.under(ctx, "callbacks", "Callback")
	job := order.under(ctx, "jobs", "Job")

	if len(res) > 0 {
		rs, err := primeLists(ctx, l.OrderReservations, orderIDs, db.FindReservationsByOrderIDs)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if res.has("part") {
				*partIDs = append(*partIDs, r.PartID)
			}
			if res.has("reservedBy") {
				users[r.ReservedBy] = true
			}
		}
	}
	if len(iss) > 0 {
		is, err := primeLists(ctx, l.OrderIssues, orderIDs, db.FindPartIssuesByOrderIDs)
		if err != nil {
			return err
		}
		for _, s := range is {
			if iss.has("part") {
				*partIDs = append(*partIDs, s.PartID)
			}
			if iss.has("drawnBy") {
				users[s.DrawnBy] = true
			}
			if iss.has("issuedBy") {
				users[s.IssuedBy] = true
			}
		}
	}
	if len(claim) > 0 {
		cs, err := primeLists(ctx, l.OrderClaims, orderIDs, db.FindWarrantyClaimsByOrderIDs)
		if err != nil {
			return err
		}
		ids := make([]shop.WarrantyClaimID, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
			l.Claims.Prime(ctx, c.ID, c)
			if claim.has("createdBy") {
				users[c.CreatedBy] = true
			}
		}
		// A claim's jobs are jobs of its order, read above.
		if claim.has("jobs") && len(ids) > 0 {
			if err := prime(ctx, l.ClaimJobs, ids, db.FindClaimJobIDs); err != nil {
				return err
			}
		}
	}
	if len(cb) > 0 {
		cbs, err := primeLists(ctx, l.OrderCallbacks, orderIDs, db.FindCallbacksByOrderIDs)
		if err != nil {
			return err
		}
		for _, c := range cbs {
			l.Callbacks.Prime(ctx, c.ID, c)
			if cb.has("advisor") {
				users[c.AdvisorID] = true
			}
			if c.DoneBy != nil && cb.has("doneBy") {
				users[*c.DoneBy] = true
			}
		}
	}
	if job.has("warrantyDecision") && len(jobIDs) > 0 {
		m, err := db.FindWarrantyDecisionsByJobIDs(ctx, jobIDs)
		if err != nil {
			return err
		}
		decided := job.under(ctx, "warrantyDecision", "WarrantyDecision").has("decidedBy")
		for _, id := range jobIDs {
			l.JobWarranty.Prime(ctx, id, m[id])
			if w := m[id]; w != nil && decided {
				users[w.DecidedBy] = true
			}
		}
	}
	return nil
}
