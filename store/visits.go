package store

import (
	"context"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
)

const appointmentColumns = `id, site_id, customer_id, vehicle_id, advisor_id, scheduled_at, requested_work,
	parts_to_prepare, deposit, state, visit_id, version, created_at, updated_at`

// BookAppointmentInput books an appointment (预约) for an existing or new customer and vehicle.
type BookAppointmentInput struct {
	SiteID         shop.SiteID
	CustomerID     *shop.CustomerID
	VehicleID      *shop.VehicleID
	Customer       *NewCustomerInput
	Vehicle        *NewVehicleInput
	AdvisorID      *shop.UserID
	ScheduledAt    time.Time
	RequestedWork  string
	PartsToPrepare *string
	Deposit        *shop.Money
	IdempotencyKey *string
}

// BookAppointment books an appointment (see shop.BookAppointment) in a
// place of its slot (shop.TakeSlot: a full slot is INVALID on scheduledAt)
// and plans its day-before reminder task.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) BookAppointment(ctx context.Context, in BookAppointmentInput) (*shop.Appointment, error) {
	return mutate(d, ctx, "bookAppointment", deref(in.IdempotencyKey), in, func(c *change) (*shop.Appointment, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActBookAppointment); err != nil {
			return nil, err
		}
		ap, ev, err := shop.BookAppointment(shop.AppointmentRequest{SiteID: in.SiteID, AdvisorID: in.AdvisorID,
			ScheduledAt: in.ScheduledAt, RequestedWork: in.RequestedWork, PartsToPrepare: in.PartsToPrepare, Deposit: in.Deposit},
			*c.actor, c.now)
		if err != nil {
			return nil, err
		}
		if ap.AdvisorID != nil {
			if err := requireStaff(c, in.SiteID, *ap.AdvisorID, "advisorId", shop.RoleAdvisor); err != nil {
				return nil, err
			}
		}
		if err := takeAppointmentSlot(c, &ap); err != nil {
			return nil, err
		}
		cid, vid, err := customerAndVehicle(c, in.SiteID, in.CustomerID, in.VehicleID, in.Customer, in.Vehicle)
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &ap, `
			INSERT INTO appointments (site_id, customer_id, vehicle_id, advisor_id, scheduled_at, requested_work,
				parts_to_prepare, deposit, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
			RETURNING `+appointmentColumns,
			ap.SiteID, cid, vid, ap.AdvisorID, ap.ScheduledAt, ap.RequestedWork, ap.PartsToPrepare, ap.Deposit, ap.State, c.now); err != nil {
			return nil, err
		}
		if err := planAppointmentReminder(c, &ap); err != nil {
			return nil, err
		}
		return &ap, c.event(ev)
	})
}

// CancelAppointmentInput cancels a booked appointment.
type CancelAppointmentInput struct {
	AppointmentID   shop.AppointmentID
	Reason          string
	NoShow          *bool
	ExpectedVersion *int
	IdempotencyKey  *string
}

// CancelAppointment cancels (or marks as no-show) a booked appointment
// (see shop.CancelAppointment). Errors: INVALID, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, CONFLICT.
func (d *DB) CancelAppointment(ctx context.Context, in CancelAppointmentInput) (*shop.Appointment, error) {
	return mutate(d, ctx, "cancelAppointment", deref(in.IdempotencyKey), in, func(c *change) (*shop.Appointment, error) {
		var ap shop.Appointment
		err := c.tx.GetContext(c.ctx, &ap, `SELECT `+appointmentColumns+` FROM appointments WHERE id = $1 FOR UPDATE`, in.AppointmentID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(ap.SiteID)) {
			return nil, notFoundAt("appointmentId", "No appointment with that ID exists.")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, ap.SiteID, shop.ActBookAppointment); err != nil {
			return nil, err
		}
		if err := checkVersion("appointment", in.ExpectedVersion, ap.Version); err != nil {
			return nil, err
		}
		next, ev, err := shop.CancelAppointment(ap, in.Reason, in.NoShow != nil && *in.NoShow, c.now)
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &ap, `
			UPDATE appointments SET state = $2, version = $3, updated_at = $4 WHERE id = $1
			RETURNING `+appointmentColumns, next.ID, next.State, next.Version, next.UpdatedAt); err != nil {
			return nil, err
		}
		return &ap, c.event(ev)
	})
}

// AppointmentFilter selects a site's appointments in a time range, a page
// at a time.
type AppointmentFilter struct {
	SiteID shop.SiteID
	From   time.Time
	To     time.Time
	State  *shop.AppointmentState
	// After continues after that appointment (by time, then ID); First is the
	// page size, 1 to MaxAppointmentPage (MaxAppointmentPage when 0).
	After *shop.AppointmentID
	First int
}

// MaxAppointmentPage is the largest page of appointments one read returns.
const MaxAppointmentPage = 500

// FindAppointments lists a site's appointments between From and To, by
// time: one more than the page size when a next page follows, so that no
// list is cut without the caller knowing. Errors: UNAUTHENTICATED,
// NOT_FOUND, FORBIDDEN.
func (d *DB) FindAppointments(ctx context.Context, f AppointmentFilter) ([]*shop.Appointment, error) {
	_, err := authorize(ctx, f.SiteID, shop.ActRead)
	if err != nil {
		return nil, err
	}
	first := f.First
	if first <= 0 || first > MaxAppointmentPage {
		first = MaxAppointmentPage
	}
	var out []*shop.Appointment
	err = d.db.SelectContext(ctx, &out, `
		SELECT `+appointmentColumns+` FROM appointments
		WHERE site_id = $1 AND scheduled_at >= $2 AND scheduled_at < $3 AND ($4::TEXT IS NULL OR state = $4)
		  AND ($5::BIGINT IS NULL OR (scheduled_at, id) > (SELECT scheduled_at, id FROM appointments WHERE id = $5))
		ORDER BY scheduled_at, id LIMIT $6`, f.SiteID, f.From, f.To, f.State, f.After, first+1)
	return out, translate(err)
}

// FindAppointmentByID returns an appointment of the actor's sites.
func (d *DB) FindAppointmentByID(ctx context.Context, id shop.AppointmentID) (*shop.Appointment, error) {
	return findOne[shop.Appointment](d, ctx, `SELECT `+appointmentColumns+` FROM appointments WHERE id = $1 AND site_id = ANY($2)`, id, "appointment")
}

// DamageInput is one damage noted at the walk-around.
type DamageInput struct {
	Location    string
	Description string
}

// ReceiveVehicleInput records reception (接待): who and what came in, in what
// condition, and the customer's complaint.
type ReceiveVehicleInput struct {
	SiteID           shop.SiteID
	AppointmentID    *shop.AppointmentID
	CustomerID       *shop.CustomerID
	VehicleID        *shop.VehicleID
	Customer         *NewCustomerInput
	Vehicle          *NewVehicleInput
	Mileage          int
	FuelLevel        int
	Damages          []*DamageInput
	Belongings       []string
	KeyTag           string
	Complaint        string
	WalkaroundSigned bool
	IdempotencyKey   *string
}

// ReceiveVehicle opens a visit (see shop.ReceiveVehicle). With an
// appointment, the appointment's customer and vehicle are used and it is
// marked ARRIVED. Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) ReceiveVehicle(ctx context.Context, in ReceiveVehicleInput) (*shop.Visit, error) {
	return mutate(d, ctx, "receiveVehicle", deref(in.IdempotencyKey), in, func(c *change) (*shop.Visit, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActReceive); err != nil {
			return nil, err
		}
		var ap *shop.Appointment
		if in.AppointmentID != nil {
			ap = &shop.Appointment{}
			err := c.tx.GetContext(c.ctx, ap, `SELECT `+appointmentColumns+` FROM appointments WHERE id = $1 FOR UPDATE`, *in.AppointmentID)
			if isNoRows(err) || (err == nil && ap.SiteID != in.SiteID) {
				return nil, notFoundAt("appointmentId", "No appointment with that ID exists at this site.")
			} else if err != nil {
				return nil, err
			}
		}
		dms := make([]shop.Damage, len(in.Damages))
		for i, x := range in.Damages {
			dms[i] = shop.Damage{Location: x.Location, Description: x.Description}
		}
		v, err := shop.ReceiveVehicle(shop.Reception{SiteID: in.SiteID, AppointmentID: in.AppointmentID,
			CustomerID: in.CustomerID, VehicleID: in.VehicleID, NewCustomer: in.Customer != nil, NewVehicle: in.Vehicle != nil,
			Mileage: in.Mileage, FuelLevel: in.FuelLevel, Damages: dms, Belongings: in.Belongings, KeyTag: in.KeyTag,
			Complaint: in.Complaint, WalkaroundSigned: in.WalkaroundSigned}, ap, *c.actor, c.now)
		if err != nil {
			return nil, err
		}
		custID, vehID := in.CustomerID, in.VehicleID
		if ap != nil { // the decision took them from the appointment
			custID, vehID = &v.CustomerID, &v.VehicleID
		}
		cid, vid, err := customerAndVehicle(c, in.SiteID, custID, vehID, in.Customer, in.Vehicle)
		if err != nil {
			return nil, err
		}
		var row visitRow
		if err := c.tx.GetContext(c.ctx, &row, `
			INSERT INTO visits (site_id, customer_id, vehicle_id, appointment_id, advisor_id, received_at, mileage,
				fuel_level, damages, belongings, key_tag, complaint, walkaround_signed, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $6, $6)
			RETURNING `+visitColumns,
			v.SiteID, cid, vid, v.AppointmentID, v.AdvisorID, v.ReceivedAt, v.Mileage, v.FuelLevel, damages(v.Damages),
			pq.Array(v.Belongings), v.KeyTag, v.Complaint, v.WalkaroundSigned); err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE vehicles SET mileage = GREATEST(mileage, $2), updated_at = $3, version = version + 1 WHERE id = $1`,
			vid, in.Mileage, c.now); err != nil {
			return nil, err
		}
		if in.AppointmentID != nil {
			if _, err := c.tx.ExecContext(c.ctx, `
				UPDATE appointments SET state = 'ARRIVED', visit_id = $2, version = version + 1, updated_at = $3 WHERE id = $1`,
				*in.AppointmentID, row.ID, c.now); err != nil {
				return nil, err
			}
		}
		saved := row.visit()
		return saved, c.event(shop.VehicleReceived(saved))
	})
}

// requireStaff checks that user works at site, active, in one of the roles
// (see shop.CheckStaff). Errors: NOT_FOUND, INVALID naming field.
func requireStaff(c *change, site shop.SiteID, user shop.UserID, field string, roles ...shop.Role) error {
	var u struct {
		Role     shop.Role
		TeamLead bool
		Active   bool
	}
	err := c.tx.GetContext(c.ctx, &u, `
		SELECT u.role, u.team_lead, u.active FROM users u JOIN user_sites s ON s.user_id = u.id
		WHERE u.id = $1 AND s.site_id = $2`, user, site)
	if err != nil && !isNoRows(err) {
		return err
	}
	return shop.CheckStaff(field, err == nil, u.Active, u.Role, roles...)
}

// FindAppointmentsByIDs returns appointments by ID in one statement (for loaders).
func (d *DB) FindAppointmentsByIDs(ctx context.Context, ids []shop.AppointmentID) (map[shop.AppointmentID]*shop.Appointment, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Appointment
	if err := d.db.SelectContext(ctx, &rows, `SELECT `+appointmentColumns+` FROM appointments WHERE id = ANY($1) AND site_id = ANY($2)`,
		pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := make(map[shop.AppointmentID]*shop.Appointment, len(rows))
	for _, ap := range rows {
		out[ap.ID] = ap
	}
	return out, nil
}
