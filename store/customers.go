package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"bayboard/shop"
)

const customerColumns = `id, site_id, name, phone, email, address, version, created_at, updated_at`
const vehicleColumns = `id, site_id, customer_id, plate, vin, make, model, year, colour, mileage, version, created_at, updated_at`

// NewCustomerInput is a customer record created at booking or reception.
type NewCustomerInput struct {
	Name    string
	Phone   string
	Email   *string
	Address *string
}

// NewVehicleInput is a vehicle created at booking or reception.
type NewVehicleInput struct {
	Plate   string
	VIN     *string
	Make    string
	Model   string
	Year    *int
	Colour  *string
	Mileage *int
}

// FindCustomerByID returns a customer of the actor's sites; NOT_FOUND otherwise.
// Personal data is masked for roles that may not see it.
func (d *DB) FindCustomerByID(ctx context.Context, id shop.CustomerID) (*shop.Customer, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanCustomer, `SELECT `+customerColumns+` FROM customers WHERE id = $1 AND site_id = ANY($2)`,
		id, pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	} else if len(rows) == 0 {
		return nil, notFound("customer")
	}
	rows[0].Redact(a)
	return rows[0], nil
}

// FindCustomersByIDs returns customers by ID in one statement (for loaders).
func (d *DB) FindCustomersByIDs(ctx context.Context, ids []shop.CustomerID) (map[shop.CustomerID]*shop.Customer, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanCustomer, `SELECT `+customerColumns+` FROM customers WHERE id = ANY($1) AND site_id = ANY($2)`,
		pq.Array(ids), pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	}
	out := make(map[shop.CustomerID]*shop.Customer, len(rows))
	for _, c := range rows {
		c.Redact(a)
		out[c.ID] = c
	}
	return out, nil
}

// CustomerFilter selects customers; Query matches name, phone or plate.
type CustomerFilter struct {
	SiteID shop.SiteID
	Query  string
	After  *shop.CustomerID
	First  int
}

// FindCustomers searches a site's customers by name, phone or plate, ordered
// by name then ID. It returns one more than First when there is a next page.
func (d *DB) FindCustomers(ctx context.Context, f CustomerFilter) ([]*shop.Customer, error) {
	a, err := authorize(ctx, f.SiteID, shop.ActReadPersonal)
	if err != nil {
		return nil, err
	}
	q, err := shop.CheckText("query", f.Query, false, 100)
	if err != nil {
		return nil, err
	}
	plate := shop.SearchPlate(q)
	after := int64(0)
	if f.After != nil {
		after = int64(*f.After)
	}
	var rows []*shop.Customer
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+customerColumns+` FROM customers c
		WHERE c.site_id = $1 AND c.id > $2 AND c.merged_into IS NULL
		  AND ($3 = '' OR c.name ILIKE '%' || $3 || '%' OR c.phone LIKE $3 || '%'
		       OR EXISTS (SELECT 1 FROM vehicles v WHERE v.customer_id = c.id AND (v.plate LIKE '%' || $4 || '%' OR v.vin = $4)))
		ORDER BY c.id
		LIMIT $5`, f.SiteID, after, likeEscape(q), likeEscape(plate), f.First+1)
	for _, c := range rows {
		c.Redact(a)
	}
	return rows, translate(err)
}

// redactOrders applies shop.RedactOrder to orders read for actor a.
func redactOrders(a *shop.Actor, os ...*shop.Order) {
	for _, o := range os {
		shop.RedactOrder(a, o)
	}
}

// redactAdditional applies shop.RedactAdditional to additional work read for actor a.
func redactAdditional(a *shop.Actor, ws ...*shop.AdditionalWork) {
	for _, w := range ws {
		shop.RedactAdditional(a, w)
	}
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindVehicleByID returns a vehicle of the actor's sites.
func (d *DB) FindVehicleByID(ctx context.Context, id shop.VehicleID) (*shop.Vehicle, error) {
	m, err := d.FindVehiclesByIDs(ctx, []shop.VehicleID{id})
	if err != nil {
		return nil, err
	}
	if v, ok := m[id]; ok {
		return v, nil
	}
	return nil, notFound("vehicle")
}

// FindVehiclesByIDs returns vehicles by ID in one statement (for loaders).
func (d *DB) FindVehiclesByIDs(ctx context.Context, ids []shop.VehicleID) (map[shop.VehicleID]*shop.Vehicle, error) {
	return d.vehicles(ctx, `id = ANY($1)`, pq.Array(ids), func(v *shop.Vehicle) int64 { return int64(v.ID) })
}

// FindVehiclesByCustomerIDs returns each customer's vehicles in one statement.
func (d *DB) FindVehiclesByCustomerIDs(ctx context.Context, ids []shop.CustomerID) (map[shop.CustomerID][]*shop.Vehicle, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanVehicle, `SELECT `+vehicleColumns+` FROM vehicles WHERE customer_id = ANY($1) AND site_id = ANY($2) ORDER BY id`,
		pq.Array(ids), pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	}
	out := map[shop.CustomerID][]*shop.Vehicle{}
	for _, v := range rows {
		v.Redact(a)
		out[v.CustomerID] = append(out[v.CustomerID], v)
	}
	return out, nil
}

func (d *DB) vehicles(ctx context.Context, where string, arg any, key func(*shop.Vehicle) int64) (map[shop.VehicleID]*shop.Vehicle, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanVehicle, `SELECT `+vehicleColumns+` FROM vehicles WHERE `+where+` AND site_id = ANY($2)`, arg, pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	}
	out := make(map[shop.VehicleID]*shop.Vehicle, len(rows))
	for _, v := range rows {
		v.Redact(a)
		out[shop.VehicleID(key(v))] = v
	}
	return out, nil
}

// customerAndVehicle resolves the customer and vehicle of a booking or a
// reception (shop.ResolveParty): existing records by ID, or new ones created
// here. Errors: INVALID, NOT_FOUND.
func customerAndVehicle(c *change, site shop.SiteID, custID *shop.CustomerID, vehID *shop.VehicleID,
	newCust *NewCustomerInput, newVeh *NewVehicleInput) (shop.CustomerID, shop.VehicleID, error) {
	in := shop.PartyInput{CustomerID: custID, VehicleID: vehID}
	if newCust != nil {
		in.NewCustomer = &shop.CustomerInput{Name: newCust.Name, Phone: newCust.Phone, Email: deref(newCust.Email), Address: deref(newCust.Address)}
	}
	if newVeh != nil {
		in.NewVehicle = &shop.VehicleInput{Plate: newVeh.Plate, VIN: deref(newVeh.VIN), Make: newVeh.Make, Model: newVeh.Model,
			Year: derefInt(newVeh.Year), Colour: deref(newVeh.Colour), Mileage: derefInt(newVeh.Mileage)}
	}
	var found shop.PartyFound
	if custID != nil {
		var s shop.SiteID
		err := c.tx.GetContext(c.ctx, &s, `SELECT site_id FROM customers WHERE id = $1`, *custID)
		if err == nil {
			found.CustomerSite = &s
		} else if !isNoRows(err) {
			return 0, 0, err
		}
	}
	if vehID != nil {
		var v struct {
			SiteID     shop.SiteID
			CustomerID shop.CustomerID
		}
		err := c.tx.GetContext(c.ctx, &v, `SELECT site_id, customer_id FROM vehicles WHERE id = $1`, *vehID)
		if err == nil {
			found.VehicleSite, found.VehicleCustomer = &v.SiteID, v.CustomerID
		} else if !isNoRows(err) {
			return 0, 0, err
		}
	}
	p, err := shop.ResolveParty(site, in, found, c.now)
	if err != nil {
		return 0, 0, err
	}
	if k := p.NewCustomer; k != nil {
		if err := c.tx.QueryRowContext(c.ctx, `
			INSERT INTO customers (site_id, name, phone, email, address, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, k.SiteID, k.Name, k.Phone, k.Email, k.Address, k.CreatedAt, k.UpdatedAt).Scan(&p.CustomerID); err != nil {
			return 0, 0, err
		}
	}
	if v := p.NewVehicle; v != nil {
		v.CustomerID = p.CustomerID
		if err := c.tx.QueryRowContext(c.ctx, `
			INSERT INTO vehicles (site_id, customer_id, plate, vin, make, model, year, colour, mileage, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			v.SiteID, v.CustomerID, v.Plate, v.VIN, v.Make, v.Model, v.Year, v.Colour, v.Mileage, v.CreatedAt, v.UpdatedAt).Scan(&p.VehicleID); err != nil {
			return 0, 0, err
		}
	}
	return p.CustomerID, p.VehicleID, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

// damages stores the walk-around damage list as JSONB.
type damages []shop.Damage

func (d damages) Value() (driver.Value, error) {
	if d == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]shop.Damage(d))
}

func (d *damages) Scan(src any) error {
	b, _ := src.([]byte)
	if s, ok := src.(string); ok {
		b = []byte(s)
	}
	return json.Unmarshal(b, (*[]shop.Damage)(d))
}

const visitColumns = `id, site_id, customer_id, vehicle_id, appointment_id, advisor_id, received_at, mileage,
	fuel_level, damages, belongings, key_tag, complaint, walkaround_signed, delivered_at, exit_pass,
	next_service_date, next_service_km, version, created_at, updated_at`

type visitRow struct {
	shop.Visit
	Damages    damages
	Belongings pq.StringArray
}

func (r *visitRow) visit() *shop.Visit {
	v := r.Visit
	v.Damages = []shop.Damage(r.Damages)
	v.Belongings = []string(r.Belongings)
	return &v
}

// FindVisitByID returns a visit of the actor's sites.
func (d *DB) FindVisitByID(ctx context.Context, id shop.VisitID) (*shop.Visit, error) {
	m, err := d.FindVisitsByIDs(ctx, []shop.VisitID{id})
	if err != nil {
		return nil, err
	}
	if v, ok := m[id]; ok {
		return v, nil
	}
	return nil, notFound("visit")
}

// FindVisitsByIDs returns visits by ID in one statement (for loaders).
func (d *DB) FindVisitsByIDs(ctx context.Context, ids []shop.VisitID) (map[shop.VisitID]*shop.Visit, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanVisit, `SELECT `+visitColumns+` FROM visits WHERE id = ANY($1) AND site_id = ANY($2)`,
		pq.Array(ids), pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	}
	out := make(map[shop.VisitID]*shop.Visit, len(rows))
	for _, v := range rows {
		out[v.ID] = v
	}
	return out, nil
}

// VisitCursor is the position of a visit in a customer's history (newest first).
type VisitCursor struct {
	ReceivedAt time.Time
	ID         shop.VisitID
}

// FindVisitsByCustomer returns a page of a customer's visits, newest first,
// after the cursor; one more than first when there is a next page.
func (d *DB) FindVisitsByCustomer(ctx context.Context, id shop.CustomerID, after *VisitCursor, first int) ([]*shop.Visit, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	at, vid := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), shop.VisitID(0)
	if after != nil {
		at, vid = after.ReceivedAt, after.ID
	}
	rows, err := queryRows(ctx, d, scanVisit, `
		SELECT `+visitColumns+` FROM visits
		WHERE customer_id = $1 AND site_id = ANY($2)
		  AND (received_at, id) < ($3, $4)
		ORDER BY received_at DESC, id DESC
		LIMIT $5`, id, pq.Array(a.SiteIDs), at, func() int64 {
		if after == nil {
			return 1<<63 - 1
		}
		return int64(vid)
	}(), first+1)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// FindVisitsWithTotal is FindVisitsByCustomer that also counts all of the
// customer's visits: in the same statement on the first page (an
// uncorrelated subquery, run once; a window count would read every visit of
// a large fleet customer before the LIMIT), with a second one after a cursor.
func (d *DB) FindVisitsWithTotal(ctx context.Context, id shop.CustomerID, after *VisitCursor, first int) ([]*shop.Visit, int, error) {
	if after != nil {
		visits, err := d.FindVisitsByCustomer(ctx, id, after, first)
		if err != nil {
			return nil, 0, err
		}
		n, err := d.CountVisitsByCustomer(ctx, id)
		return visits, n, err
	}
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var total int
	rows, err := queryRows(ctx, d, func(r rowScanner) (*shop.Visit, error) { return scanVisitWith(r, &total) }, `
		SELECT `+visitColumns+`, (SELECT count(*) FROM visits WHERE customer_id = $1 AND site_id = ANY($2))
		FROM visits
		WHERE customer_id = $1 AND site_id = ANY($2)
		ORDER BY received_at DESC, id DESC
		LIMIT $3`, id, pq.Array(a.SiteIDs), first+1)
	if err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// CountVisitsByCustomer counts a customer's visits.
func (d *DB) CountVisitsByCustomer(ctx context.Context, id shop.CustomerID) (int, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = d.getPrepared(ctx, &n, `SELECT count(*) FROM visits WHERE customer_id = $1 AND site_id = ANY($2)`, id, pq.Array(a.SiteIDs))
	return n, translate(err)
}

var _ = sqlx.In
