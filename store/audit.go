package store

import (
	"context"
	"time"

	"bayboard/shop"
)

// EventFilter selects a site's events for the audit trail. Nil fields do not
// filter. Events come newest first; Before continues after a page's last one.
type EventFilter struct {
	SiteID  shop.SiteID
	ActorID *shop.UserID
	OrderID *shop.OrderID
	Kind    *shop.EventKind
	From    *time.Time // at or after
	To      *time.Time // before
	Before  *shop.EventID
	First   int
}

// FindEvents returns the audit trail of a site: who did what to which record
// and when, newest first, one more than First when there is a next page.
// Only roles that may read the audit trail (service manager, admin) may ask.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (a site the actor may not see).
func (d *DB) FindEvents(ctx context.Context, f EventFilter) ([]*shop.Event, error) {
	_, err := authorize(ctx, f.SiteID, shop.ActAudit)
	if err != nil {
		return nil, err
	}
	var kind *string
	if f.Kind != nil {
		k := string(*f.Kind)
		kind = &k
	}
	var rows []*shop.Event
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+eventColumns+` FROM events
		WHERE site_id = $1
		  AND ($2::BIGINT IS NULL OR actor_id = $2)
		  AND ($3::BIGINT IS NULL OR order_id = $3)
		  AND ($4::TEXT IS NULL OR kind = $4)
		  AND ($5::TIMESTAMPTZ IS NULL OR at >= $5)
		  AND ($6::TIMESTAMPTZ IS NULL OR at < $6)
		  AND ($7::BIGINT IS NULL OR id < $7)
		ORDER BY id DESC
		LIMIT $8`, f.SiteID, f.ActorID, f.OrderID, kind, f.From, f.To, f.Before, f.First+1)
	return rows, translate(err)
}
