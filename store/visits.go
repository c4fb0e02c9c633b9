package store

import (
	"context"
	"fmt"
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

// BookAppointment books an appointment. Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) BookAppointment(ctx context.Context, in BookAppointmentInput) (*shop.Appointment, error) {
	return mutate(d, ctx, "bookAppointment", deref(in.IdempotencyKey), in, func(c *change) (*shop.Appointment, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActBookAppointment); err != nil {
			return nil, err
		}
		work, err := shop.CheckText("requestedWork", in.RequestedWork, true, shop.MaxLongText)
		if err != nil {
			return nil, err
		}
		parts, err := shop.CheckText("partsToPrepare", deref(in.PartsToPrepare), false, shop.MaxLongText)
		if err != nil {
			return nil, err
		}
		if in.ScheduledAt.Before(c.now.Add(-time.Hour)) {
			return nil, shop.FieldErrorf("scheduledAt", "An appointment cannot be booked in the past.")
		}
		var deposit shop.Money
		if in.Deposit != nil {
			deposit = *in.Deposit
			if err := shop.ValidPrice("deposit", deposit); err != nil {
				return nil, err
			}
		}
		advisor := in.AdvisorID
		if advisor == nil && c.actor.Role == shop.RoleAdvisor {
			advisor = &c.actor.UserID
		}
		if advisor != nil {
			if err := requireStaff(c, in.SiteID, *advisor, "advisorId", shop.RoleAdvisor); err != nil {
				return nil, err
			}
		}
		cid, vid, err := customerAndVehicle(c, in.SiteID, in.CustomerID, in.VehicleID, in.Customer, in.Vehicle)
		if err != nil {
			return nil, err
		}
		var ap shop.Appointment
		if err := c.tx.GetContext(c.ctx, &ap, `
			INSERT INTO appointments (site_id, customer_id, vehicle_id, advisor_id, scheduled_at, requested_work,
				parts_to_prepare, deposit, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'BOOKED', $9, $9)
			RETURNING `+appointmentColumns,
			in.SiteID, cid, vid, advisor, in.ScheduledAt, work, parts, deposit, c.now); err != nil {
			return nil, err
		}
		return &ap, c.event(shop.Event{SiteID: in.SiteID, Kind: shop.EventAppointmentBooked, AdvisorID: advisor,
			Summary: "Appointment booked for " + in.ScheduledAt.UTC().Format(time.RFC3339)})
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

// CancelAppointment cancels (or marks as no-show) a booked appointment.
// Errors: NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) CancelAppointment(ctx context.Context, in CancelAppointmentInput) (*shop.Appointment, error) {
	return mutate(d, ctx, "cancelAppointment", deref(in.IdempotencyKey), in, func(c *change) (*shop.Appointment, error) {
		var ap shop.Appointment
		err := c.tx.GetContext(c.ctx, &ap, `SELECT `+appointmentColumns+` FROM appointments WHERE id = $1 FOR UPDATE`, in.AppointmentID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(ap.SiteID)) {
			return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "appointmentId", Message: "No appointment with that ID exists."}
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, ap.SiteID, shop.ActBookAppointment); err != nil {
			return nil, err
		}
		if err := checkVersion("appointment", in.ExpectedVersion, ap.Version); err != nil {
			return nil, err
		}
		if ap.State != shop.AppointmentBooked {
			return nil, shop.Errorf(shop.EINVALIDTRANSITION, "The appointment is %s; only a booked appointment can be cancelled (CANCEL).", describeAppointment(ap.State))
		}
		reason, err := shop.CheckText("reason", in.Reason, true, shop.MaxShortText)
		if err != nil {
			return nil, err
		}
		state := shop.AppointmentCancelled
		if in.NoShow != nil && *in.NoShow {
			state = shop.AppointmentNoShow
		}
		if err := c.tx.GetContext(c.ctx, &ap, `
			UPDATE appointments SET state = $2, version = version + 1, updated_at = $3 WHERE id = $1
			RETURNING `+appointmentColumns, ap.ID, state, c.now); err != nil {
			return nil, err
		}
		return &ap, c.event(shop.Event{SiteID: ap.SiteID, Kind: shop.EventAppointmentCancelled, AdvisorID: ap.AdvisorID,
			Summary: "Appointment " + string(state) + ": " + reason})
	})
}

// AppointmentFilter selects a site's appointments in a time range.
type AppointmentFilter struct {
	SiteID shop.SiteID
	From   time.Time
	To     time.Time
	State  *shop.AppointmentState
}

// FindAppointments lists a site's appointments between From and To, by time.
func (d *DB) FindAppointments(ctx context.Context, f AppointmentFilter) ([]*shop.Appointment, error) {
	_, err := authorize(ctx, f.SiteID, shop.ActRead)
	if err != nil {
		return nil, err
	}
	var out []*shop.Appointment
	err = d.db.SelectContext(ctx, &out, `
		SELECT `+appointmentColumns+` FROM appointments
		WHERE site_id = $1 AND scheduled_at >= $2 AND scheduled_at < $3 AND ($4::TEXT IS NULL OR state = $4)
		ORDER BY scheduled_at, id LIMIT 500`, f.SiteID, f.From, f.To, f.State)
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

// ReceiveVehicle opens a visit. With an appointment, the appointment's
// customer and vehicle are used and it is marked ARRIVED.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) ReceiveVehicle(ctx context.Context, in ReceiveVehicleInput) (*shop.Visit, error) {
	return mutate(d, ctx, "receiveVehicle", deref(in.IdempotencyKey), in, func(c *change) (*shop.Visit, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActReceive); err != nil {
			return nil, err
		}
		if err := shop.ValidMileage(in.Mileage); err != nil {
			return nil, err
		}
		if err := shop.ValidFuelLevel(in.FuelLevel); err != nil {
			return nil, err
		}
		keyTag, err := shop.CheckText("keyTag", in.KeyTag, true, 20)
		if err != nil {
			return nil, err
		}
		complaint, err := shop.CheckText("complaint", in.Complaint, true, shop.MaxLongText)
		if err != nil {
			return nil, err
		}
		if len(in.Damages) > shop.MaxListItems {
			return nil, shop.FieldErrorf("damages", "At most %d damages can be listed.", shop.MaxListItems)
		}
		if len(in.Belongings) > shop.MaxListItems {
			return nil, shop.FieldErrorf("belongings", "At most %d belongings can be listed.", shop.MaxListItems)
		}
		dm := damages{}
		for i, x := range in.Damages {
			loc, err := shop.CheckText(fmt.Sprintf("damages[%d].location", i), x.Location, true, shop.MaxShortText)
			if err != nil {
				return nil, err
			}
			desc, err := shop.CheckText(fmt.Sprintf("damages[%d].description", i), x.Description, true, shop.MaxShortText)
			if err != nil {
				return nil, err
			}
			dm = append(dm, shop.Damage{Location: loc, Description: desc})
		}
		belongings := []string{}
		for i, b := range in.Belongings {
			b, err := shop.CheckText(fmt.Sprintf("belongings[%d]", i), b, true, shop.MaxShortText)
			if err != nil {
				return nil, err
			}
			belongings = append(belongings, b)
		}
		custID, vehID := in.CustomerID, in.VehicleID
		if in.AppointmentID != nil {
			var ap shop.Appointment
			err := c.tx.GetContext(c.ctx, &ap, `SELECT `+appointmentColumns+` FROM appointments WHERE id = $1 FOR UPDATE`, *in.AppointmentID)
			if isNoRows(err) || (err == nil && ap.SiteID != in.SiteID) {
				return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "appointmentId", Message: "No appointment with that ID exists at this site."}
			} else if err != nil {
				return nil, err
			}
			if ap.State != shop.AppointmentBooked {
				return nil, shop.Errorf(shop.EINVALIDTRANSITION, "The appointment is %s; only a booked appointment can be received (RECEIVE).", describeAppointment(ap.State))
			}
			if in.Customer != nil || in.Vehicle != nil || (custID != nil && *custID != ap.CustomerID) || (vehID != nil && *vehID != ap.VehicleID) {
				return nil, shop.FieldErrorf("appointmentId", "With an appointment, the customer and vehicle come from the appointment; do not name others.")
			}
			custID, vehID = &ap.CustomerID, &ap.VehicleID
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
			in.SiteID, cid, vid, in.AppointmentID, c.actor.UserID, c.now, in.Mileage, in.FuelLevel, dm,
			pq.Array(belongings), keyTag, complaint, in.WalkaroundSigned); err != nil {
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
		v := row.visit()
		return v, c.event(shop.Event{SiteID: in.SiteID, Kind: shop.EventVehicleReceived, VisitID: &v.ID, AdvisorID: &v.AdvisorID,
			Summary: "Vehicle received, key tag " + keyTag})
	})
}

// describeAppointment names an appointment's state in messages.
func describeAppointment(s shop.AppointmentState) string {
	switch s {
	case shop.AppointmentArrived:
		return "already received (ARRIVED)"
	case shop.AppointmentCancelled:
		return "cancelled (CANCELLED)"
	case shop.AppointmentNoShow:
		return "marked as a no-show (NO_SHOW)"
	}
	return "booked (BOOKED)"
}

// requireStaff checks that user belongs to site and has one of the roles.
func requireStaff(c *change, site shop.SiteID, user shop.UserID, field string, roles ...shop.Role) error {
	var u struct {
		Role     shop.Role
		TeamLead bool
		Active   bool
	}
	err := c.tx.GetContext(c.ctx, &u, `
		SELECT u.role, u.team_lead, u.active FROM users u JOIN user_sites s ON s.user_id = u.id
		WHERE u.id = $1 AND s.site_id = $2`, user, site)
	if isNoRows(err) || (err == nil && !u.Active) {
		return &shop.Error{Code: shop.ENOTFOUND, Field: field, Message: "No active member of staff with that ID works at this site."}
	} else if err != nil {
		return err
	}
	for _, r := range roles {
		if u.Role == r {
			return nil
		}
	}
	return shop.FieldErrorf(field, "That member of staff is a %s, not a %s.", u.Role, roles[0])
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
