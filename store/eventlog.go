package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

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
					WHERE pos IS NULL
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

// cardOrderSQL reads the order columns a board card needs, with its car.
// Every order has a visit and every visit a vehicle (NOT NULL foreign keys),
// so the inner joins keep every order.
const cardOrderSQL = `
	SELECT o.id, o.site_id, o.visit_id, o.number, o.state, o.priority, o.advisor_id, o.promised_at, o.ready_at,
		o.notify_by, o.rework_count, o.wash_requested, o.stage_since, v.plate, v.make, v.model, v.colour
	FROM repair_orders o JOIN visits vi ON vi.id = o.visit_id JOIN vehicles v ON v.id = vi.vehicle_id
	WHERE o.site_id = $1 AND o.state IN ('IN_WORK', 'QC', 'WASH', 'READY', 'SETTLED')`

const cardOrderOrder = `
	ORDER BY CASE o.priority WHEN 'URGENT' THEN 0 WHEN 'HIGH' THEN 1 ELSE 2 END, o.promised_at NULLS LAST, o.id`

// cardJobColumns are the job columns a board card needs (shop.NewCard,
// StageOf, BlockersOf, JobsProgress): the board is read often.
const cardJobColumns = `id, order_id, description, state, labour_minutes, safety, technician_id, bay_id, progress,
	pause_reason, parts_short`

// cardOrder is an order of the board with its car.
type cardOrder struct {
	o shop.Order
	v shop.Vehicle
}

func scanCardOrder(r rowScanner) (*cardOrder, error) {
	c := &cardOrder{}
	o := &c.o
	err := r.Scan((*int64)(&o.ID), (*int64)(&o.SiteID), (*int64)(&o.VisitID), &o.Number, (*string)(&o.State),
		(*string)(&o.Priority), (*int64)(&o.AdvisorID), nullTime{&o.PromisedAt}, nullTime{&o.ReadyAt},
		nullTime{&o.NotifyBy}, &o.ReworkCount, &o.WashRequested, &o.StageSince,
		&c.v.Plate, &c.v.Make, &c.v.Model, &c.v.Colour)
	return c, err
}

func scanCardJob(r rowScanner) (*shop.Job, error) {
	j := &shop.Job{}
	err := r.Scan((*int64)(&j.ID), (*int64)(&j.OrderID), &j.Description, (*string)(&j.State), &j.LabourMinutes,
		&j.Safety, nullID(&j.TechnicianID), nullID(&j.BayID), &j.Progress, nullString(&j.PauseReason), &j.PartsShort)
	return j, err
}

// FindCards returns the board cards of a site's orders in the workshop; with
// ids, only those orders (a card missing from the result is off the board).
// Three statements whatever the number of cards. No actor: callers authorise.
func (d *DB) FindCards(ctx context.Context, site shop.SiteID, ids []shop.OrderID) ([]*shop.Card, error) {
	var orders []*cardOrder
	var err error
	if ids == nil {
		orders, err = queryRows(ctx, d, scanCardOrder, cardOrderSQL+cardOrderOrder, site)
	} else {
		orders, err = queryRows(ctx, d, scanCardOrder, cardOrderSQL+` AND o.id = ANY($2)`+cardOrderOrder, site, pq.Array(ids))
	}
	if err != nil {
		return nil, err
	}
	if len(orders) == 0 {
		return []*shop.Card{}, nil
	}
	oids := make([]shop.OrderID, len(orders))
	for i, o := range orders {
		oids[i] = o.o.ID
	}
	jobs, err := queryRows(ctx, d, scanCardJob, `SELECT `+cardJobColumns+` FROM jobs WHERE order_id = ANY($1) ORDER BY id`, pq.Array(oids))
	if err != nil {
		return nil, err
	}
	names, bays, err := d.siteNames(ctx, site)
	if err != nil {
		return nil, err
	}
	byOrder := make(map[shop.OrderID][]*shop.Job, len(orders))
	for _, j := range jobs {
		byOrder[j.OrderID] = append(byOrder[j.OrderID], j)
	}
	user := func(id shop.UserID) string { return names[id] }
	bay := func(id shop.BayID) string { return bays[id] }
	cards := make([]*shop.Card, 0, len(orders))
	for _, o := range orders {
		if c, ok := shop.NewCard(&o.o, byOrder[o.o.ID], &o.v, user, bay); ok {
			cards = append(cards, c)
		}
	}
	return cards, nil
}

// siteNames returns the short names of a site's staff and the codes of its bays.
func (d *DB) siteNames(ctx context.Context, site shop.SiteID) (map[shop.UserID]string, map[shop.BayID]string, error) {
	var rows []struct {
		Kind string
		ID   int64
		Name string
	}
	if err := d.selectPrepared(ctx, &rows, `
		SELECT 'u' AS kind, u.id, u.short_name AS name FROM users u JOIN user_sites s ON s.user_id = u.id WHERE s.site_id = $1
		UNION ALL
		SELECT 'b', id, code FROM bays WHERE site_id = $1`, site); err != nil {
		return nil, nil, translate(err)
	}
	users, bays := map[shop.UserID]string{}, map[shop.BayID]string{}
	for _, r := range rows {
		if r.Kind == "u" {
			users[shop.UserID(r.ID)] = r.Name
		} else {
			bays[shop.BayID(r.ID)] = r.Name
		}
	}
	return users, bays, nil
}

// FindArrivals returns the appointments of a site still to arrive between
// from and to, for the welcome board: masked plates, no names.
func (d *DB) FindArrivals(ctx context.Context, site shop.SiteID, from, to time.Time) ([]*shop.Arrival, error) {
	var rows []struct {
		ID          shop.AppointmentID
		ScheduledAt time.Time
		Plate       string
		Make        string
		Model       string
		Advisor     *string
	}
	if err := d.selectPrepared(ctx, &rows, `
		SELECT a.id, a.scheduled_at, v.plate, v.make, v.model, u.short_name AS advisor
		FROM appointments a JOIN vehicles v ON v.id = a.vehicle_id LEFT JOIN users u ON u.id = a.advisor_id
		WHERE a.site_id = $1 AND a.state = 'BOOKED' AND a.scheduled_at >= $2 AND a.scheduled_at < $3
		ORDER BY a.scheduled_at, a.id LIMIT 200`, site, from, to); err != nil {
		return nil, translate(err)
	}
	out := make([]*shop.Arrival, len(rows))
	for i, r := range rows {
		out[i] = &shop.Arrival{AppointmentID: r.ID, ScheduledAt: r.ScheduledAt, Plate: shop.MaskPlate(r.Plate), Make: r.Make, Model: r.Model, Advisor: deref(r.Advisor)}
	}
	return out, nil
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
