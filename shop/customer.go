package shop

import (
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
// VIN when given (with its check digit), make and model, a plausible model
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
