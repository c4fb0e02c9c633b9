package shop

import (
	"fmt"
	"time"
)

// AppointmentRequest is an appointment (预约) as the advisor books it; the
// customer and vehicle are the store's to find or create.
type AppointmentRequest struct {
	SiteID         SiteID
	AdvisorID      *UserID
	ScheduledAt    time.Time
	RequestedWork  string
	PartsToPrepare *string
	Deposit        *Money
}

// BookAppointment returns the appointment to book and its event: the time
// at most an hour in the past (the customer may be at the door), the
// requested work described, a deposit if any priced right, and the advisor
// the one named, else the booking advisor. The store checks the advisor
// works at the site (CheckStaff). Errors: INVALID naming the field.
func BookAppointment(in AppointmentRequest, by Actor, now time.Time) (Appointment, Event, error) {
	work, err := CheckText("requestedWork", in.RequestedWork, true, MaxLongText)
	if err != nil {
		return Appointment{}, Event{}, err
	}
	parts, err := CheckText("partsToPrepare", deref(in.PartsToPrepare), false, MaxLongText)
	if err != nil {
		return Appointment{}, Event{}, err
	}
	if in.ScheduledAt.Before(now.Add(-time.Hour)) {
		return Appointment{}, Event{}, FieldErrorf("scheduledAt", "An appointment cannot be booked in the past.")
	}
	deposit := deref(in.Deposit)
	if err := ValidPrice("deposit", deposit); err != nil {
		return Appointment{}, Event{}, err
	}
	advisor := in.AdvisorID
	if advisor == nil && by.Role == RoleAdvisor {
		advisor = &by.UserID
	}
	ap := Appointment{SiteID: in.SiteID, AdvisorID: advisor, ScheduledAt: in.ScheduledAt, RequestedWork: work,
		PartsToPrepare: parts, Deposit: deposit, State: AppointmentBooked, Version: 1, CreatedAt: now, UpdatedAt: now}
	return ap, Event{SiteID: in.SiteID, Kind: EventAppointmentBooked, AdvisorID: advisor,
		Summary: "Appointment booked for " + in.ScheduledAt.UTC().Format(time.RFC3339)}, nil
}

// Describe returns a readable phrase for the state, used in error messages.
func (s AppointmentState) Describe() string {
	switch s {
	case AppointmentArrived:
		return "already received (ARRIVED)"
	case AppointmentCancelled:
		return "cancelled (CANCELLED)"
	case AppointmentNoShow:
		return "marked as a no-show (NO_SHOW)"
	}
	return "booked (BOOKED)"
}

// CancelAppointment cancels a booked appointment, or marks it a no-show,
// with the reason. Errors: INVALID_TRANSITION, INVALID (reason).
func CancelAppointment(ap Appointment, reason string, noShow bool, now time.Time) (Appointment, Event, error) {
	if ap.State != AppointmentBooked {
		return ap, Event{}, Errorf(EINVALIDTRANSITION, "The appointment is %s; only a booked appointment can be cancelled (CANCEL).", ap.State.Describe())
	}
	r, err := CheckText("reason", reason, true, MaxShortText)
	if err != nil {
		return ap, Event{}, err
	}
	next := ap
	next.State = AppointmentCancelled
	if noShow {
		next.State = AppointmentNoShow
	}
	next.Version, next.UpdatedAt = ap.Version+1, now
	return next, Event{SiteID: ap.SiteID, Kind: EventAppointmentCancelled, AdvisorID: ap.AdvisorID,
		Summary: "Appointment " + string(next.State) + ": " + r}, nil
}

// Reception is reception (接待) as the advisor records it: the car's state
// at the walk-around (环车检查), the belongings list and the complaint.
type Reception struct {
	SiteID        SiteID
	AppointmentID *AppointmentID
	// CustomerID and VehicleID name existing records; NewCustomer and
	// NewVehicle say the input describes new ones.
	CustomerID       *CustomerID
	VehicleID        *VehicleID
	NewCustomer      bool
	NewVehicle       bool
	Mileage          int
	FuelLevel        int
	Damages          []Damage
	Belongings       []string
	KeyTag           string
	Complaint        string
	WalkaroundSigned bool
}

// ReceiveVehicle returns the visit that reception opens for the advisor by,
// its texts and lists checked. With an appointment (ap, loaded by the
// store), it must be BOOKED and brings its own customer and vehicle, set on
// the visit: naming others is refused. Without one, the store finds or
// creates them and fills the IDs, like the visit's own. Errors: INVALID naming the field,
// INVALID_TRANSITION.
func ReceiveVehicle(in Reception, ap *Appointment, by Actor, now time.Time) (Visit, error) {
	if err := ValidMileage(in.Mileage); err != nil {
		return Visit{}, err
	}
	if err := ValidFuelLevel(in.FuelLevel); err != nil {
		return Visit{}, err
	}
	keyTag, err := CheckText("keyTag", in.KeyTag, true, 20)
	if err != nil {
		return Visit{}, err
	}
	complaint, err := CheckText("complaint", in.Complaint, true, MaxLongText)
	if err != nil {
		return Visit{}, err
	}
	if len(in.Damages) > MaxListItems {
		return Visit{}, FieldErrorf("damages", "At most %d damages can be listed.", MaxListItems)
	}
	if len(in.Belongings) > MaxListItems {
		return Visit{}, FieldErrorf("belongings", "At most %d belongings can be listed.", MaxListItems)
	}
	dm := []Damage{}
	for i, x := range in.Damages {
		loc, err := CheckText(fmt.Sprintf("damages[%d].location", i), x.Location, true, MaxShortText)
		if err != nil {
			return Visit{}, err
		}
		desc, err := CheckText(fmt.Sprintf("damages[%d].description", i), x.Description, true, MaxShortText)
		if err != nil {
			return Visit{}, err
		}
		dm = append(dm, Damage{Location: loc, Description: desc})
	}
	belongings := []string{}
	for i, b := range in.Belongings {
		b, err := CheckText(fmt.Sprintf("belongings[%d]", i), b, true, MaxShortText)
		if err != nil {
			return Visit{}, err
		}
		belongings = append(belongings, b)
	}
	v := Visit{SiteID: in.SiteID, AppointmentID: in.AppointmentID, AdvisorID: by.UserID, ReceivedAt: now,
		Mileage: in.Mileage, FuelLevel: in.FuelLevel, Damages: dm, Belongings: belongings, KeyTag: keyTag,
		Complaint: complaint, WalkaroundSigned: in.WalkaroundSigned, Version: 1, CreatedAt: now, UpdatedAt: now}
	if ap != nil {
		if ap.State != AppointmentBooked {
			return Visit{}, Errorf(EINVALIDTRANSITION, "The appointment is %s; only a booked appointment can be received (RECEIVE).", ap.State.Describe())
		}
		if in.NewCustomer || in.NewVehicle || (in.CustomerID != nil && *in.CustomerID != ap.CustomerID) ||
			(in.VehicleID != nil && *in.VehicleID != ap.VehicleID) {
			return Visit{}, FieldErrorf("appointmentId", "With an appointment, the customer and vehicle come from the appointment; do not name others.")
		}
		v.CustomerID, v.VehicleID = ap.CustomerID, ap.VehicleID
	}
	return v, nil
}

// VehicleReceived returns the event of a visit opened (once it has its ID):
// the key tag, no personal data.
func VehicleReceived(v *Visit) Event {
	return Event{SiteID: v.SiteID, Kind: EventVehicleReceived, VisitID: &v.ID, AdvisorID: &v.AdvisorID,
		Summary: "Vehicle received, key tag " + v.KeyTag}
}
