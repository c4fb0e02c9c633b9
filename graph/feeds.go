package graph

import (
	"context"
	"strconv"
	"time"

	"bayboard/board"
	"bayboard/graph/model"
	"bayboard/shop"
)

// feedSite parses and authorises the site of a subscription.
func (r *subscriptionResolver) feedSite(ctx context.Context, siteID string, act shop.Action) (shop.SiteID, error) {
	n, err := parseID("siteId", shop.TypeSite, siteID)
	if err != nil {
		return 0, err
	}
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	return shop.SiteID(n), shop.Authorize(a, shop.SiteID(n), act)
}

// parseFeedCursor reads a feed cursor: the decimal log position.
func parseFeedCursor(after *string) (*int64, error) {
	if after == nil || *after == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(*after, 10, 64)
	if err != nil || n < 0 {
		return nil, shop.FieldErrorf("after", "%q is not a feed cursor; use the cursor of an update or of the board snapshot.", *after)
	}
	return &n, nil
}

// feed follows the hub and turns its updates into GraphQL updates: the
// subscription's responses pull them (liveOperations). The feed ends when
// the client goes, after a reset, or when the hub drops a slow subscriber:
// the client then resumes from its last cursor.
func (r *subscriptionResolver) feed(ctx context.Context, site shop.SiteID, after *string, filter board.Filter) (<-chan *model.BoardUpdate, error) {
	cur, err := parseFeedCursor(after)
	if err != nil {
		return nil, err
	}
	op := liveFeed(ctx)
	if r.Hub == nil || op == nil {
		return nil, shop.Errorf(shop.EINTERNAL, "Live feeds are not available on this server.")
	}
	f, err := r.Hub.Follow(ctx, site, cur, filter)
	if err != nil {
		return nil, err
	}
	op.feed, op.out = f, make(chan *model.BoardUpdate, 1)
	return op.out, nil
}

func toUpdate(u *board.Update) *model.BoardUpdate {
	if u.Reset {
		return &model.BoardUpdate{Reset: true}
	}
	e := u.Event
	return &model.BoardUpdate{Cursor: strconv.FormatInt(e.Pos, 10), Kind: &e.Kind, Summary: &e.Summary, At: &e.At,
		OrderID: e.OrderID, JobID: e.JobID, Card: u.Card, Capacity: u.Capacity}
}

// boardSnapshot reads the whole board. The cursor is read first, so a change
// racing with the snapshot is replayed by the feed rather than lost. The
// site, capacity and arrivals are read only when the client selects them.
func (r *queryResolver) boardSnapshot(ctx context.Context, site shop.SiteID) (*model.BoardSnapshot, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := shop.Authorize(a, site, shop.ActRead); err != nil {
		return nil, err
	}
	head, err := r.DB.LogHead(ctx)
	if err != nil {
		return nil, err
	}
	wantArrivals := selects(ctx, "BoardSnapshot", "arrivals")
	var s *shop.Site
	if wantArrivals || selects(ctx, "BoardSnapshot", "siteName") {
		if s, err = r.DB.FindSiteByID(ctx, site); err != nil {
			return nil, err
		}
	}
	cards, err := r.DB.FindCards(ctx, site, nil)
	if err != nil {
		return nil, err
	}
	now := r.DB.Now()
	snap := &model.BoardSnapshot{Cursor: strconv.FormatInt(head, 10), At: now, Cards: cards}
	if s != nil {
		snap.SiteName = s.Name
	}
	if selects(ctx, "BoardSnapshot", "capacity") {
		if snap.Capacity, err = r.DB.SiteCapacity(ctx, site); err != nil {
			return nil, err
		}
	}
	if wantArrivals {
		loc := s.Location()
		lt := now.In(loc)
		end := time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, loc)
		if snap.Arrivals, err = r.DB.FindArrivals(ctx, site, now.Add(-2*time.Hour), end); err != nil {
			return nil, err
		}
	}
	for _, c := range cards {
		if c.Late(now) {
			snap.LateCount++
		}
	}
	return snap, nil
}
