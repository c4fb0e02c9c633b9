package shop

import (
	"fmt"
	"strings"
	"time"
)

// CustomerInput is a new customer record (客户档案) as typed at booking or reception.
type CustomerInput struct {
	Name    string
	Phone   string
	Email   string
	Address string
}

// VehicleInput is a new vehicle as typed at booking or reception.
type VehicleInput struct {
	Plate   string
	VIN     string
	Make    string
	Model   string
	Year    int // 0: unknown
	Colour  string
	Mileage int
}

// PartyInput names the customer and vehicle of a booking or a reception:
// each an existing record's ID or a new one. An existing vehicle names its
// customer.
type PartyInput struct {
	CustomerID  *CustomerID
	VehicleID   *VehicleID
	NewCustomer *CustomerInput
	NewVehicle  *VehicleInput
}

// PartyFound is what the store found of the existing records PartyInput
// names: their sites (nil when they do not exist) and the vehicle's owner.
type PartyFound struct {
	CustomerSite    *SiteID
	VehicleSite     *SiteID
	VehicleCustomer CustomerID
}

// Party is the decided customer and vehicle: existing IDs, or new records
// to create (the store gives the new vehicle the new customer's ID).
type Party struct {
	CustomerID  CustomerID // 0 with NewCustomer
	VehicleID   VehicleID  // 0 with NewVehicle
	NewCustomer *Customer
	NewVehicle  *Vehicle
}

// ResolveParty decides the customer and vehicle of a booking or a reception
// at site: existing records must be of the site and belong together; new
// ones are checked (fields under "customer." and "vehicle."). Errors:
// INVALID, NOT_FOUND.
func ResolveParty(site SiteID, in PartyInput, found PartyFound, now time.Time) (Party, error) {
	var p Party
	switch {
	case in.CustomerID != nil && in.NewCustomer != nil:
		return p, FieldErrorf("customer", "Give either an existing customer's ID or a new customer, not both.")
	case in.CustomerID != nil:
		if found.CustomerSite == nil || *found.CustomerSite != site {
			return p, &Error{Code: ENOTFOUND, Field: "customerId", Message: "No customer with that ID exists at this site."}
		}
		p.CustomerID = *in.CustomerID
	case in.NewCustomer != nil:
		c, err := NewCustomer(site, *in.NewCustomer, now)
		if err != nil {
			return p, err
		}
		p.NewCustomer = &c
	case in.VehicleID == nil:
		return p, FieldErrorf("customer", "Name the customer: an existing customer's ID or a new customer.")
	}
	switch {
	case in.VehicleID != nil && in.NewVehicle != nil:
		return p, FieldErrorf("vehicle", "Give either an existing vehicle's ID or a new vehicle, not both.")
	case in.VehicleID != nil:
		if found.VehicleSite == nil || *found.VehicleSite != site {
			return p, &Error{Code: ENOTFOUND, Field: "vehicleId", Message: "No vehicle with that ID exists at this site."}
		}
		if p.NewCustomer != nil || (p.CustomerID != 0 && p.CustomerID != found.VehicleCustomer) {
			return p, FieldErrorf("vehicleId", "That vehicle belongs to another customer.")
		}
		p.CustomerID, p.VehicleID = found.VehicleCustomer, *in.VehicleID
	case in.NewVehicle != nil:
		v, err := NewVehicle(site, p.CustomerID, *in.NewVehicle, now)
		if err != nil {
			return p, err
		}
		p.NewVehicle = &v
	default:
		return p, FieldErrorf("vehicle", "Name the vehicle: an existing vehicle's ID or a new vehicle.")
	}
	return p, nil
}

// NewCustomer checks a new customer record of site: a name, a phone number
// (normalised), optional e-mail and address. Errors: INVALID naming
// "customer.<field>".
func NewCustomer(site SiteID, in CustomerInput, now time.Time) (Customer, error) {
	name, err := CheckText("customer.name", in.Name, true, MaxShortText)
	if err != nil {
		return Customer{}, err
	}
	phone, err := NormalizePhone(in.Phone)
	if err != nil {
		return Customer{}, withField(err, "customer.phone")
	}
	email, err := CheckText("customer.email", in.Email, false, MaxShortText)
	if err != nil {
		return Customer{}, err
	}
	addr, err := CheckText("customer.address", in.Address, false, MaxShortText)
	if err != nil {
		return Customer{}, err
	}
	return Customer{SiteID: site, Name: name, Phone: phone, Email: email, Address: addr, Version: 1, CreatedAt: now, UpdatedAt: now}, nil
}

// NewVehicle checks a new vehicle of customer at site: a licence plate, a
// VIN when given (with its check digit), make (from the VIN's WMI when not
// given) and model, a plausible model
// year (1950 to next year) when given, and the mileage. Errors: INVALID
// naming "vehicle.<field>".
func NewVehicle(site SiteID, customer CustomerID, in VehicleInput, now time.Time) (Vehicle, error) {
	plate, err := NormalizePlate(in.Plate)
	if err != nil {
		return Vehicle{}, withField(err, "vehicle.plate")
	}
	vin := ""
	if strings.TrimSpace(in.VIN) != "" {
		if vin, err = NormalizeVIN(in.VIN); err != nil {
			return Vehicle{}, withField(err, "vehicle.vin")
		}
	}
	if strings.TrimSpace(in.Make) == "" && vin != "" {
		in.Make, _ = VINMake(vin) // the WMI names the maker when the make is not typed
	}
	mk, err := CheckText("vehicle.make", in.Make, true, 60)
	if err != nil {
		return Vehicle{}, err
	}
	model, err := CheckText("vehicle.model", in.Model, true, 60)
	if err != nil {
		return Vehicle{}, err
	}
	colour, err := CheckText("vehicle.colour", in.Colour, false, 30)
	if err != nil {
		return Vehicle{}, err
	}
	if in.Year != 0 && (in.Year < 1950 || in.Year > now.Year()+1) {
		return Vehicle{}, FieldErrorf("vehicle.year", "%d is not a plausible model year.", in.Year)
	}
	if err := ValidMileage(in.Mileage); err != nil {
		return Vehicle{}, withField(err, "vehicle.mileage")
	}
	return Vehicle{SiteID: site, CustomerID: customer, Plate: plate, VIN: vin, Make: mk, Model: model, Year: in.Year,
		Colour: colour, Mileage: in.Mileage, Version: 1, CreatedAt: now, UpdatedAt: now}, nil
}

// MaskName keeps a name's first character for people who may not see
// personal data (the board, the workshop): 王小明 → 王**.
func MaskName(s string) string {
	if r := []rune(s); len(r) > 0 {
		return string(r[:1]) + "**"
	}
	return s
}

// RedactOrder hides the customer's name, as signed on order o, from an
// actor who may not see personal data.
func RedactOrder(a *Actor, o *Order) {
	if o == nil || (a != nil && Allowed(a.Role, ActReadPersonal)) {
		return
	}
	o.SignedBy = MaskName(o.SignedBy)
}

// RedactAdditional hides who answered for the customer on additional work
// w, and the note on the decision (free text written on the phone with the
// customer, which may carry a name or a number), from an actor who may not
// see personal data.
func RedactAdditional(a *Actor, w *AdditionalWork) {
	if w == nil || (a != nil && Allowed(a.Role, ActReadPersonal)) {
		return
	}
	w.CustomerContact = MaskName(w.CustomerContact)
	w.DecisionNote = ""
}

// SearchPlate turns a search text into the form plates are stored in
// (upper case, no separators), so "粤b 123" finds 粤B12345.
func SearchPlate(q string) string {
	return strings.NewReplacer(" ", "", "·", "", "-", "").Replace(strings.ToUpper(q))
}

// CustomerChanges are the corrections of a customer record; nil fields stay.
type CustomerChanges struct {
	Name    *string
	Phone   *string
	Email   *string
	Address *string
}

// ErrMerged is the answer to changing a customer merged into another: the
// record is history, the survivor is the one to change. INVALID on field.
func ErrMerged(field string, into CustomerID) error {
	return FieldErrorf(field, "This customer was merged into customer %s; change that one.", GlobalID(TypeCustomer, int64(into)))
}

// EditCustomer decides corrections of customer c (mergedInto: the survivor
// when c was merged away). The event records each field before → after.
// Errors: INVALID naming "customer.<field>" or customerId (merged).
func EditCustomer(c Customer, mergedInto *CustomerID, ch CustomerChanges, now time.Time) (Customer, Event, error) {
	if mergedInto != nil {
		return c, Event{}, ErrMerged("customerId", *mergedInto)
	}
	in := CustomerInput{Name: c.Name, Phone: c.Phone, Email: c.Email, Address: c.Address}
	if ch.Name != nil {
		in.Name = *ch.Name
	}
	if ch.Phone != nil {
		in.Phone = *ch.Phone
	}
	if ch.Email != nil {
		in.Email = *ch.Email
	}
	if ch.Address != nil {
		in.Address = *ch.Address
	}
	checked, err := NewCustomer(c.SiteID, in, now)
	if err != nil {
		return c, Event{}, err
	}
	next := c
	next.Name, next.Phone, next.Email, next.Address = checked.Name, checked.Phone, checked.Email, checked.Address
	var log changeLog
	log.add("name", c.Name, next.Name)
	log.add("phone", c.Phone, next.Phone)
	log.add("email", c.Email, next.Email)
	log.add("address", c.Address, next.Address)
	next.Version++
	next.UpdatedAt = now
	return next, siteEvent(c.SiteID, EventCustomerEdited, fmt.Sprintf("Customer %s edited: %s", GlobalID(TypeCustomer, int64(c.ID)), log)), nil
}

// VehicleContact is the person who usually brings a car in (送修人) when it
// is not the owner: a company car's driver, a family member.
type VehicleContact struct {
	Name  string
	Phone string
}

// VehicleChanges are the corrections of a vehicle; nil fields stay. Owner
// moves the car to another customer of the site (a sale, a wrong record).
type VehicleChanges struct {
	Plate        *string
	VIN          *string
	Make         *string
	Model        *string
	Year         *int
	Colour       *string
	Mileage      *int
	OwnerID      *CustomerID
	ContactName  *string
	ContactPhone *string
}

// VehicleOwner is what the store found of a new owner: its site (nil when
// it does not exist) and the customer it was merged into, if it was.
type VehicleOwner struct {
	SiteID     *SiteID
	MergedInto *CustomerID
}

// EditVehicle decides corrections of vehicle v with its contact: a new
// plate (上牌, 过户), a corrected VIN (check digit), make and model, the
// owner, the person who brings it in. The event records each field
// before → after. Errors: INVALID naming "vehicle.<field>" or ownerId,
// NOT_FOUND (ownerId).
func EditVehicle(v Vehicle, contact VehicleContact, ch VehicleChanges, owner VehicleOwner, now time.Time) (Vehicle, VehicleContact, Event, error) {
	in := VehicleInput{Plate: v.Plate, VIN: v.VIN, Make: v.Make, Model: v.Model, Year: v.Year, Colour: v.Colour, Mileage: v.Mileage}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&in.Plate, ch.Plate)
	set(&in.VIN, ch.VIN)
	set(&in.Make, ch.Make)
	set(&in.Model, ch.Model)
	set(&in.Colour, ch.Colour)
	if ch.Year != nil {
		in.Year = *ch.Year
	}
	if ch.Mileage != nil {
		in.Mileage = *ch.Mileage
	}
	owner0 := v.CustomerID
	if ch.OwnerID != nil {
		switch {
		case owner.SiteID == nil || *owner.SiteID != v.SiteID:
			return v, contact, Event{}, NotFoundf("ownerId", "No customer with that ID exists at this site.")
		case owner.MergedInto != nil:
			return v, contact, Event{}, ErrMerged("ownerId", *owner.MergedInto)
		}
		owner0 = *ch.OwnerID
	}
	checked, err := NewVehicle(v.SiteID, owner0, in, now)
	if err != nil {
		return v, contact, Event{}, err
	}
	c := contact
	if ch.ContactName != nil {
		if c.Name, err = CheckText("vehicle.contactName", *ch.ContactName, false, 100); err != nil {
			return v, contact, Event{}, err
		}
	}
	if ch.ContactPhone != nil {
		c.Phone = ""
		if strings.TrimSpace(*ch.ContactPhone) != "" {
			if c.Phone, err = NormalizePhone(*ch.ContactPhone); err != nil {
				return v, contact, Event{}, withField(err, "vehicle.contactPhone")
			}
		}
	}
	if c.Phone != "" && c.Name == "" {
		return v, contact, Event{}, FieldErrorf("vehicle.contactName", "Name the person whose phone is given.")
	}
	next := v
	next.Plate, next.VIN, next.Make, next.Model, next.Year = checked.Plate, checked.VIN, checked.Make, checked.Model, checked.Year
	next.Colour, next.Mileage, next.CustomerID = checked.Colour, checked.Mileage, checked.CustomerID
	var log changeLog
	log.add("plate", v.Plate, next.Plate)
	log.add("vin", v.VIN, next.VIN)
	log.add("make", v.Make, next.Make)
	log.add("model", v.Model, next.Model)
	log.add("year", v.Year, next.Year)
	log.add("colour", v.Colour, next.Colour)
	log.add("mileage", v.Mileage, next.Mileage)
	log.add("owner", GlobalID(TypeCustomer, int64(v.CustomerID)), GlobalID(TypeCustomer, int64(next.CustomerID)))
	log.add("contactName", contact.Name, c.Name)
	log.add("contactPhone", contact.Phone, c.Phone)
	next.Version++
	next.UpdatedAt = now
	return next, c, siteEvent(v.SiteID, EventVehicleEdited, fmt.Sprintf("Vehicle %s edited: %s", GlobalID(TypeVehicle, int64(v.ID)), log)), nil
}

// MergeCustomers decides merging duplicate into survivor (the same person
// entered twice): both of one site, two records, neither merged already.
// The survivor keeps its fields and takes the duplicate's e-mail and
// address where its own are empty; the store moves every record that
// names the duplicate (vehicles, visits, orders' parties, appointments,
// callbacks, complaints) to the survivor and marks the duplicate merged.
// Errors: INVALID naming duplicateId, NOT_FOUND.
func MergeCustomers(survivor, duplicate Customer, survivorMerged, duplicateMerged *CustomerID, now time.Time) (Customer, Event, error) {
	switch {
	case survivor.ID == duplicate.ID:
		return survivor, Event{}, FieldErrorf("duplicateId", "A customer cannot be merged into itself.")
	case survivor.SiteID != duplicate.SiteID:
		return survivor, Event{}, NotFoundf("duplicateId", "No customer with that ID exists at the survivor's site.")
	case survivorMerged != nil:
		return survivor, Event{}, ErrMerged("survivorId", *survivorMerged)
	case duplicateMerged != nil:
		return survivor, Event{}, FieldErrorf("duplicateId", "That customer was already merged into customer %s.",
			GlobalID(TypeCustomer, int64(*duplicateMerged)))
	}
	next := survivor
	if next.Email == "" {
		next.Email = duplicate.Email
	}
	if next.Address == "" {
		next.Address = duplicate.Address
	}
	var log changeLog
	log.add("email", survivor.Email, next.Email)
	log.add("address", survivor.Address, next.Address)
	next.Version++
	next.UpdatedAt = now
	return next, siteEvent(survivor.SiteID, EventCustomersMerged, fmt.Sprintf("Customer %s (%s, %s) merged into %s (%s, %s): %s",
		GlobalID(TypeCustomer, int64(duplicate.ID)), duplicate.Name, duplicate.Phone,
		GlobalID(TypeCustomer, int64(survivor.ID)), survivor.Name, survivor.Phone, log)), nil
}
