package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
)

// Explicit row scanners for the reads every query makes (orders, jobs, part
// lines, board cards): sqlx maps columns to fields by reflection on every
// statement and allocates through reflect on every row, which profiling
// showed among the largest costs of the customer history and the board.
// Each scanner reads the columns of its constant, in order; scan_test.go
// checks that each reads what sqlx reads.

// rowScanner is *sql.Rows or *sql.Row.
type rowScanner interface{ Scan(dest ...any) error }

// queryRows runs a prepared hot read and scans every row with scan.
func queryRows[T any](ctx context.Context, d *DB, scan func(rowScanner) (*T, error), query string, args ...any) ([]*T, error) {
	rows, err := d.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	out, err := scanAll(rows, scan)
	return out, translate(err)
}

// scanAll scans every row of rows with scan, and closes rows.
func scanAll[T any](rows *sql.Rows, scan func(rowScanner) (*T, error)) ([]*T, error) {
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// nullTime reads a nullable timestamp without reflection.
type nullTime struct{ t **time.Time }

func (n nullTime) Scan(src any) error {
	if t, ok := src.(time.Time); ok {
		*n.t = &t
		return nil
	}
	if src == nil {
		*n.t = nil
		return nil
	}
	var v sql.NullTime
	if err := v.Scan(src); err != nil {
		return err
	}
	*n.t = &v.Time
	return nil
}

// nullID reads a nullable ID column (BIGINT) into a pointer to an ID type.
func nullID[T ~int64](p **T) sql.Scanner { return idScanner[T]{p} }

type idScanner[T ~int64] struct{ p **T }

func (s idScanner[T]) Scan(src any) error {
	if src == nil {
		*s.p = nil
		return nil
	}
	var v sql.NullInt64
	if err := v.Scan(src); err != nil {
		return err
	}
	id := T(v.Int64)
	*s.p = &id
	return nil
}

// nullString reads a nullable text column into a pointer to a string type.
func nullString[T ~string](p **T) sql.Scanner { return stringScanner[T]{p} }

type stringScanner[T ~string] struct{ p **T }

func (s stringScanner[T]) Scan(src any) error {
	if src == nil {
		*s.p = nil
		return nil
	}
	var v sql.NullString
	if err := v.Scan(src); err != nil {
		return err
	}
	t := T(v.String)
	*s.p = &t
	return nil
}

// scanOrder reads a row of orderColumns.
func scanOrder(r rowScanner) (*shop.Order, error) {
	o := &shop.Order{}
	err := r.Scan((*int64)(&o.ID), (*int64)(&o.SiteID), (*int64)(&o.VisitID), &o.Number, (*string)(&o.State),
		(*string)(&o.WorkType), (*string)(&o.Priority), &o.Findings, &o.UnderWarranty, &o.WashRequested,
		(*string)(&o.PaymentMethod), (*string)(&o.OldParts), &o.InsuranceClaim, &o.InsurerName, &o.AssessmentReference,
		(*int64)(&o.AdvisorID), nullTime{&o.PromisedAt}, nullTime{&o.EstimatedAt}, nullTime{&o.SignedAt}, &o.SignedBy,
		nullTime{&o.HandedOverAt}, nullTime{&o.QCPassedAt}, nullTime{&o.ReadyAt}, nullTime{&o.NotifyBy},
		nullTime{&o.SettledAt}, nullTime{&o.DeliveredAt}, nullTime{&o.CancelledAt}, &o.CancelReason, &o.ReworkCount,
		nullString(&o.Stage), &o.StageSince, &o.Version, &o.CreatedAt, &o.UpdatedAt)
	return o, err
}

// scanJob reads a row of jobColumns.
func scanJob(r rowScanner) (*shop.Job, error) {
	j := &shop.Job{}
	err := r.Scan((*int64)(&j.ID), (*int64)(&j.SiteID), (*int64)(&j.OrderID), &j.Description, (*string)(&j.State),
		&j.LabourMinutes, (*int64)(&j.LabourPrice), (*string)(&j.Payer), &j.Additional, &j.Safety,
		nullID(&j.TechnicianID), nullID(&j.BayID), &j.Progress, nullString(&j.PauseReason), &j.PauseNote,
		&j.ReworkCount, &j.ReworkReason, nullTime{&j.DispatchedAt}, nullTime{&j.StartedAt}, nullTime{&j.FinishedAt},
		&j.WorkedMinutes, &j.PartsShort, nullString(&j.RequiredSkill), &j.Version, &j.CreatedAt, &j.UpdatedAt)
	return j, err
}

// scanPartLine reads a row of partLineColumns.
func scanPartLine(r rowScanner) (*shop.PartLine, error) {
	p := &shop.PartLine{}
	return p, r.Scan(partLineDest(p)...)
}

// scanDrawnPartLine reads a row of partLineColumns followed by the line's
// drawn quantity (NULL when nothing was issued against it).
func scanDrawnPartLine(r rowScanner) (*shop.PartLine, error) {
	p := &shop.PartLine{}
	return p, r.Scan(append(partLineDest(p), nullInt{&p.Drawn})...)
}

func partLineDest(p *shop.PartLine) []any {
	return []any{(*int64)(&p.ID), (*int64)(&p.SiteID), (*int64)(&p.OrderID), nullID(&p.JobID), nullID(&p.PartID),
		&p.PartNumber, &p.Description, &p.Quantity, (*int64)(&p.UnitPrice), (*string)(&p.Payer), &p.Additional,
		&p.CreatedAt}
}

// nullInt reads a nullable integer column.
type nullInt struct{ p **int }

func (n nullInt) Scan(src any) error {
	if src == nil {
		*n.p = nil
		return nil
	}
	var v sql.NullInt64
	if err := v.Scan(src); err != nil {
		return err
	}
	i := int(v.Int64)
	*n.p = &i
	return nil
}

// scanCustomer reads a row of customerColumns.
func scanCustomer(r rowScanner) (*shop.Customer, error) {
	c := &shop.Customer{}
	err := r.Scan((*int64)(&c.ID), (*int64)(&c.SiteID), &c.Name, &c.Phone, &c.Email, &c.Address, &c.Version,
		&c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// scanVehicle reads a row of vehicleColumns.
func scanVehicle(r rowScanner) (*shop.Vehicle, error) {
	v := &shop.Vehicle{}
	err := r.Scan((*int64)(&v.ID), (*int64)(&v.SiteID), (*int64)(&v.CustomerID), &v.Plate, &v.VIN, &v.Make, &v.Model,
		&v.Year, &v.Colour, &v.Mileage, &v.Version, &v.CreatedAt, &v.UpdatedAt)
	return v, err
}

// scanVisit reads a row of visitColumns.
func scanVisit(r rowScanner) (*shop.Visit, error) { return scanVisitWith(r) }

// scanVisitWith reads a row of visitColumns followed by the extra columns.
func scanVisitWith(r rowScanner, extra ...any) (*shop.Visit, error) {
	v := &shop.Visit{}
	var d damages
	var b pq.StringArray
	err := r.Scan(append([]any{(*int64)(&v.ID), (*int64)(&v.SiteID), (*int64)(&v.CustomerID), (*int64)(&v.VehicleID),
		nullID(&v.AppointmentID), (*int64)(&v.AdvisorID), &v.ReceivedAt, &v.Mileage, &v.FuelLevel, &d, &b, &v.KeyTag,
		&v.Complaint, &v.WalkaroundSigned, nullTime{&v.DeliveredAt}, &v.ExitPass, nullTime{&v.NextServiceDate},
		nullInt{&v.NextServiceKm}, &v.Version, &v.CreatedAt, &v.UpdatedAt}, extra...)...)
	v.Damages, v.Belongings = []shop.Damage(d), []string(b)
	return v, err
}
