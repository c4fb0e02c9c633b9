package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"bayboard/shop"
)

// Channels of LISTEN/NOTIFY. A NOTIFY is only a wake-up: the event log is the truth.
const (
	// ChannelEvents is notified (on commit) by every transaction that appends events.
	ChannelEvents = "bayboard_events"
	// ChannelSequenced is notified when the log gave positions to new events.
	ChannelSequenced = "bayboard_seq"
)

// sequencerLock is the advisory lock that makes one sequencer run at a time
// across all instances.
const sequencerLock = 7_001_001

// SequenceEvents gives log positions (cursors) to committed events, in a
// commit-safe order: only events of transactions older than the oldest one
// still running (pg_snapshot_xmin) are sequenced, in id order. An event whose
// transaction commits late therefore waits for its position instead of being
// stepped over: positions only ever grow, and a reader that has seen position
// p has seen every event that will ever get a position ≤ p.
// It returns how many events it sequenced (0 when another instance holds the lock).
func (d *DB) SequenceEvents(ctx context.Context) (int, error) {
	n := 0
	err := d.tx(ctx, func(tx *sqlx.Tx) error {
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT pg_try_advisory_xact_lock($1)`, sequencerLock); err != nil || !ok {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE events e SET pos = s.pos
			FROM (
				SELECT t.id, nextval('event_pos_seq') AS pos
				FROM (
					SELECT id FROM events
					WHERE pos IS NULL AND xid < pg_snapshot_xmin(pg_current_snapshot())
					ORDER BY id
					LIMIT 10000
				) t
			) s
			WHERE e.id = s.id`)
		if err != nil {
			return err
		}
		m, _ := res.RowsAffected()
		n = int(m)
		if n > 0 {
			_, err = tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, ChannelSequenced)
		}
		return err
	})
	return n, err
}

// EventsWaiting reports whether committed or in-flight events still wait for
// a position (their transaction, or an older one, has not finished yet).
func (d *DB) EventsWaiting(ctx context.Context) (bool, error) {
	var ok bool
	err := d.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM events WHERE pos IS NULL)`)
	return ok, translate(err)
}

// ReadEventLog returns sequenced events of every site after position after,
// in log order, at most limit. For the realtime hub (no actor: it serves
// each subscriber only what its actor may see).
func (d *DB) ReadEventLog(ctx context.Context, after int64, limit int) ([]*shop.Event, error) {
	var rows []*shop.Event
	err := d.db.SelectContext(ctx, &rows, `
		SELECT `+eventColumns+` FROM events WHERE pos > $1 ORDER BY pos LIMIT $2`, after, limit)
	return rows, translate(err)
}

// ReadSiteEvents returns a site's sequenced events after position after, in
// log order, at most limit: the replay of a resuming subscriber.
func (d *DB) ReadSiteEvents(ctx context.Context, site shop.SiteID, after int64, limit int) ([]*shop.Event, error) {
	var rows []*shop.Event
	err := d.db.SelectContext(ctx, &rows, `
		SELECT `+eventColumns+` FROM events WHERE site_id = $1 AND pos > $2 ORDER BY pos LIMIT $3`, site, after, limit)
	return rows, translate(err)
}

// LogHead returns the highest sequenced position (0 for an empty log).
func (d *DB) LogHead(ctx context.Context) (int64, error) {
	var p int64
	err := d.getPrepared(ctx, &p, `SELECT COALESCE(max(pos), 0) FROM events WHERE pos IS NOT NULL`)
	return p, translate(err)
}

// CountSiteEventsSince counts a site's events after position after, up to
// limit+1: enough to tell whether a replay would exceed limit.
func (d *DB) CountSiteEventsSince(ctx context.Context, site shop.SiteID, after int64, since time.Time, limit int) (n int, tooOld bool, err error) {
	var r struct {
		N      int
		Oldest *time.Time
	}
	err = d.db.GetContext(ctx, &r, `
		SELECT (SELECT count(*) FROM (SELECT 1 FROM events WHERE site_id = $1 AND pos > $2 LIMIT $3) x) AS n,
		       (SELECT at FROM events WHERE site_id = $1 AND pos > $2 ORDER BY pos LIMIT 1) AS oldest`,
		site, after, limit+1)
	if err != nil {
		return 0, false, translate(err)
	}
	return r.N, r.Oldest != nil && r.Oldest.Before(since), nil
}

// MarkLateOrders records, once per order, that a car in the workshop passed
// its promised time without being ready: an ORDER_LATE event for the board
// and the advisor. Safe to run from every instance at once.
func (d *DB) MarkLateOrders(ctx context.Context) (int, error) {
	n := 0
	err := d.tx(ctx, func(tx *sqlx.Tx) error {
		now := d.Now().UTC()
		var late []*shop.Order
		if err := tx.SelectContext(ctx, &late, `
			UPDATE repair_orders SET late_since = promised_at
			WHERE id IN (
				SELECT id FROM repair_orders
				WHERE state IN ('IN_WORK', 'QC', 'WASH') AND late_since IS NULL AND promised_at < $1
				FOR UPDATE SKIP LOCKED)
			RETURNING `+orderColumns, now); err != nil {
			return err
		}
		for _, o := range late {
			ev := orderEvent(o, shop.EventOrderLate, nil, "Past the promised time "+o.PromisedAt.UTC().Format(time.RFC3339)+" and not ready")
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO events (site_id, kind, order_id, visit_id, advisor_id, summary, at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, ev.SiteID, ev.Kind, ev.OrderID, ev.VisitID, ev.AdvisorID, ev.Summary, now); err != nil {
				return err
			}
		}
		n = len(late)
		if n > 0 {
			_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, ChannelEvents)
			return err
		}
		return nil
	})
	return n, err
}

// SiteCapacity returns a site's capacity without an actor (for the hub and the board).
func (d *DB) SiteCapacity(ctx context.Context, site shop.SiteID) (*Capacity, error) {
	w, backlog, err := workshop(ctx, preparedReads{d}, site, nil)
	if err != nil {
		return nil, translate(err)
	}
	now := d.Now()
	return &Capacity{Technicians: w.Technicians, BacklogMinutes: backlog, FreeLabourMinutes: w.FreeLabourMinutes(now, backlog), At: now}, nil
}

// SiteByID returns a site without an actor check (for the hub and the board).
func (d *DB) SiteByID(ctx context.Context, id shop.SiteID) (*shop.Site, error) {
	return d.site(ctx, id)
}
