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

// SequenceEvents gives log positions (cursors) to committed events, in id
// order, at most 10,000 a call. Positions are handed out after commit, by one
// sequencer at a time across all instances (a transaction-scoped advisory
// lock), from one sequence: a run sees only events whose transaction has
// committed, and the next run starts only after this one's positions are
// committed. So positions only ever grow and follow commit order: an event
// that commits after a run gets a later position than every event of that
// run, never one below what a reader has already seen, and a reader that has
// seen position p has seen every event that will ever get a position <= p.
//
// It waits for no other transaction: a long or idle-in-transaction session
// of any application on the server (an import, a migration, psql) leaves the
// feeds live. (Positions given only below pg_snapshot_xmin, as before, froze
// every board until such a transaction ended.)
// It returns how many events it sequenced (0 when another instance holds the lock).
func (d *DB) SequenceEvents(ctx context.Context) (int, error) {
	return d.SequenceEventsFor(ctx, "")
}

// SequenceEventsFor is SequenceEvents with from as the payload of its
// NOTIFY on ChannelSequenced: a hub names itself there, and so can ignore
// its own wake-up (it reads the log right after sequencing anyway).
func (d *DB) SequenceEventsFor(ctx context.Context, from string) (int, error) {
	n := 0
	err := d.tx(ctx, func(tx *sqlx.Tx) error {
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT pg_try_advisory_xact_lock($1)`, sequencerLock); err != nil || !ok {
			return err
		}
		// The wake-up of the other instances' hubs goes in the same
		// statement, queued only when there are new positions (and, like
		// them, delivered only on commit): a pass costs one round trip less.
		var woke *bool
		return tx.QueryRowContext(ctx, `
			WITH sequenced AS (
				UPDATE events e SET pos = s.pos
				FROM (
					SELECT t.id, nextval('event_pos_seq') AS pos
					FROM (
						SELECT id FROM events
						WHERE pos IS NULL
						ORDER BY id
						LIMIT 10000
					) t
				) s
				WHERE e.id = s.id
				RETURNING 1
			), counted AS (
				SELECT count(*) AS n FROM sequenced
			)
			SELECT n, CASE WHEN n > 0 THEN pg_notify($1, $2) IS NULL END FROM counted`, ChannelSequenced, from).Scan(&n, &woke)
	})
	return n, err
}

// EventsWaiting reports whether committed events still wait for a position
// (another instance's sequencer held the lock, or a run was cut at its limit).
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
		evs := make([]shop.Event, len(late))
		for i, o := range late {
			evs[i] = shop.LateOrderEvent(o)
		}
		n = len(late)
		return clockEvents(ctx, tx, now, evs)
	})
	return n, err
}

// clockEvents appends the events the clock decided (late orders, callbacks
// due, complaints escalated after two days) with the event log's one INSERT
// (insertEventSQL, as change.event does for commands): the same columns, at
// now, with no actor (actor_id NULL: the clock, not a person, acted), and
// the wake-up queued with the first one, so it is delivered only if the
// transaction commits.
func clockEvents(ctx context.Context, tx *sqlx.Tx, now time.Time, evs []shop.Event) error {
	for i := range evs {
		ev := &evs[i]
		ev.At, ev.ActorID = now, nil
		q, args := insertEvent, eventValues(ev)
		if i == 0 {
			q, args = insertEventAndWake, append(args, ChannelEvents)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// eventValues returns an event's values in the order of eventColumnsIn, the
// parameters of insertEventSQL.
func eventValues(ev *shop.Event) []any {
	return []any{ev.SiteID, ev.Kind, ev.OrderID, ev.JobID, ev.VisitID, ev.AdvisorID, ev.ActorID, ev.Summary, ev.At}
}

// SiteCapacity returns a site's capacity without an actor (for the hub and the board).
func (d *DB) SiteCapacity(ctx context.Context, site shop.SiteID) (*Capacity, error) {
	now := d.Now()
	c, err := siteCapacity(ctx, preparedReads{d}, site, now)
	if err != nil {
		return nil, translate(err)
	}
	return newCapacity(c, now), nil
}
