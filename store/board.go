package store

import (
	"context"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
)

// The board's reads: its cards, the welcome board's arrivals and the sites
// the board names. They take no actor: the board authorises the site first.

// cardOrderSQL reads the order columns a board card needs, with its car and
// its customer's name (only to scrub it from the jobs' descriptions).
// Every order has a visit and every visit a vehicle (NOT NULL foreign keys),
// so the inner joins keep every order.
const cardOrderSQL = `
	SELECT o.id, o.site_id, o.visit_id, o.number, o.state, o.priority, o.advisor_id, o.promised_at, o.ready_at,
		o.notify_by, o.rework_count, o.wash_requested, o.stage_since, o.signed_by, v.plate, v.make, v.model, v.colour,
		c.name
	FROM repair_orders o JOIN visits vi ON vi.id = o.visit_id JOIN vehicles v ON v.id = vi.vehicle_id
		JOIN customers c ON c.id = vi.customer_id
	WHERE o.site_id = $1 AND o.state IN ('IN_WORK', 'QC', 'WASH', 'READY', 'SETTLED')`

const cardOrderOrder = `
	ORDER BY CASE o.priority WHEN 'URGENT' THEN 0 WHEN 'HIGH' THEN 1 ELSE 2 END, o.promised_at NULLS LAST, o.id`

// cardJobColumns are the job columns a board card needs (shop.NewCard,
// StageOf, BlockersOf, JobsProgress): the board is read often.
const cardJobColumns = `id, order_id, description, state, labour_minutes, safety, technician_id, bay_id, progress,
	pause_reason, parts_short`

// cardOrder is an order of the board with its car.
type cardOrder struct {
	o        shop.Order
	v        shop.Vehicle
	customer string // the name shop.NewCard scrubs from the jobs' descriptions
}

func scanCardOrder(r rowScanner) (*cardOrder, error) {
	c := &cardOrder{}
	o := &c.o
	err := r.Scan((*int64)(&o.ID), (*int64)(&o.SiteID), (*int64)(&o.VisitID), &o.Number, (*string)(&o.State),
		(*string)(&o.Priority), (*int64)(&o.AdvisorID), nullTime{&o.PromisedAt}, nullTime{&o.ReadyAt},
		nullTime{&o.NotifyBy}, &o.ReworkCount, &o.WashRequested, &o.StageSince, &o.SignedBy,
		&c.v.Plate, &c.v.Make, &c.v.Model, &c.v.Colour, &c.customer)
	return c, err
}

func scanCardJob(r rowScanner) (*shop.Job, error) {
	j := &shop.Job{}
	err := r.Scan((*int64)(&j.ID), (*int64)(&j.OrderID), &j.Description, (*string)(&j.State), &j.LabourMinutes,
		&j.Safety, nullID(&j.TechnicianID), nullID(&j.BayID), &j.Progress, nullString(&j.PauseReason), &j.PartsShort)
	return j, err
}

// FindCards returns the board cards of a site's orders in the workshop, with
// their lateness as of now (d.Now); with ids, only those orders (a card
// missing from the result is off the board). Three statements whatever the
// number of cards. No actor: callers authorise. Errors: EINTERNAL.
func (d *DB) FindCards(ctx context.Context, site shop.SiteID, ids []shop.OrderID) ([]*shop.Card, error) {
	now := d.Now()
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
		if c, ok := shop.NewCard(&o.o, byOrder[o.o.ID], &o.v, user, bay, now, o.customer); ok {
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
// from and to (shop.ArrivalsWindow), for the welcome board: masked plates,
// no names. Errors: EINTERNAL.
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

// FindSitesByIDs returns sites by ID, for the board's loader. No actor:
// the board authorises the site first. Errors: EINTERNAL.
func (d *DB) FindSitesByIDs(ctx context.Context, ids []shop.SiteID) (map[shop.SiteID]*shop.Site, error) {
	var rows []*shop.Site
	if err := d.selectPrepared(ctx, &rows, `SELECT `+siteColumns+` FROM sites WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, translate(err)
	}
	out := make(map[shop.SiteID]*shop.Site, len(rows))
	for _, s := range rows {
		out[s.ID] = s
	}
	return out, nil
}
