package graph

import (
	"context"
	"strconv"

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
	if d, _ := ctx.Value(feedDriverKey{}).(*FeedDriver); d != nil {
		d.feed = f
		f.OnReady(d.wake)
	}
	return op.out, nil
}

// toUpdate turns a hub update into the update a reads: the summary is the
// one a's role may read (shop.Event.SummaryFor), never staff-typed text for
// a masked role. The hub's update is shared by every subscriber and is not
// changed.
func toUpdate(u *board.Update, a *shop.Actor) *model.BoardUpdate {
	if u.Reset {
		return &model.BoardUpdate{Reset: true}
	}
	e := u.Event
	summary := e.SummaryFor(a)
	return &model.BoardUpdate{Cursor: strconv.FormatInt(e.Pos, 10), Kind: &e.Kind, Summary: &summary, At: &e.At,
		OrderID: e.OrderID, JobID: e.JobID, Card: u.Card, Capacity: u.Capacity}
}

// boardSnapshot reads the board's cards. The cursor is read first, so a
// change racing with the snapshot is replayed by the feed rather than lost.
// The site's name, its capacity and the arrivals are the snapshot's own
// resolvers (boardSnapshotResolver), which gqlgen calls only when they are
// selected.
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
	cards, err := r.DB.FindCards(ctx, site, nil)
	if err != nil {
		return nil, err
	}
	return &model.BoardSnapshot{SiteID: site, Cursor: strconv.FormatInt(head, 10), At: r.DB.Now(), Cards: cards,
		LateCount: shop.LateCount(cards)}, nil
}

// snapshotSite returns the site of a snapshot through the request's loader:
// its name and its arrivals both need it, and it is read once.
func snapshotSite(ctx context.Context, obj *model.BoardSnapshot) (*shop.Site, error) {
	return mustLoad(ctx, loaders(ctx).Sites, obj.SiteID, "site")
}
