package graph

import (
	"context"
	"time"

	"bayboard/graph/model"
	"bayboard/shop"
	"bayboard/store"
)

// auditTrail pages through a site's events, newest first (manager and admin).
func (r *queryResolver) auditTrail(ctx context.Context, siteID string, actorID, orderID *string, kind *shop.EventKind,
	from, to *time.Time, first *int, after *string) (*model.EventConnection, error) {
	site, err := siteArg(siteID)
	if err != nil {
		return nil, err
	}
	n, err := pageSize(first, 50, MaxPageSize)
	if err != nil {
		return nil, err
	}
	f := store.EventFilter{SiteID: site, Kind: kind, From: from, To: to, First: n}
	if actorID != nil {
		id, err := parseID("actorId", shop.TypeUser, *actorID)
		if err != nil {
			return nil, err
		}
		f.ActorID = (*shop.UserID)(&id)
	}
	if orderID != nil {
		id, err := parseID("orderId", shop.TypeOrder, *orderID)
		if err != nil {
			return nil, err
		}
		f.OrderID = (*shop.OrderID)(&id)
	}
	if after != nil {
		id, err := decodeIDCursor("audit", after)
		if err != nil {
			return nil, err
		}
		f.Before = (*shop.EventID)(&id)
	}
	evs, err := r.DB.FindEvents(ctx, f)
	if err != nil {
		return nil, err
	}
	conn := &model.EventConnection{}
	conn.Edges, conn.PageInfo = connection(evs, n, func(e *shop.Event) string { return idCursor("audit", int64(e.ID)) },
		func(cursor string, e *shop.Event) *model.EventEdge { return &model.EventEdge{Cursor: cursor, Node: e} })
	return conn, nil
}
