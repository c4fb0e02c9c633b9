package shop

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Customer is a customer record (客户档案), created the day they first come.
type Customer struct {
	ID        CustomerID
	SiteID    SiteID
	Name      string
	Phone     string
	Email     string
	Address   string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Vehicle is a customer's car.
type Vehicle struct {
	ID         VehicleID
	SiteID     SiteID
	CustomerID CustomerID
	Plate      string
	VIN        string
	Make       string
	Model      string
	Year       int
	Colour     string
	Mileage    int
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AppointmentState is where an appointment (预约) stands.
type AppointmentState string

// Appointment states.
const (
	AppointmentBooked    AppointmentState = "BOOKED"
	AppointmentArrived   AppointmentState = "ARRIVED"
	AppointmentCancelled AppointmentState = "CANCELLED"
	AppointmentNoShow    AppointmentState = "NO_SHOW"
)

// Appointment is a booked visit: requested work, time, parts to prepare.
type Appointment struct {
	ID             AppointmentID
	SiteID         SiteID
	CustomerID     CustomerID
	VehicleID      VehicleID
	AdvisorID      *UserID
	ScheduledAt    time.Time
	RequestedWork  string
	PartsToPrepare string
	Deposit        Money
	State          AppointmentState
	VisitID        *VisitID
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Damage is one existing damage noted in the walk-around check (环车检查).
type Damage struct {
	Location    string `json:"location"`
	Description string `json:"description"`
}

// Visit is one stay of a car with us, from reception (接待) to delivery.
type Visit struct {
	ID            VisitID
	SiteID        SiteID
	CustomerID    CustomerID
	VehicleID     VehicleID
	AppointmentID *AppointmentID
	AdvisorID     UserID
	ReceivedAt    time.Time
	Mileage       int
	// FuelLevel is a percentage of a full tank.
	FuelLevel  int
	Damages    []Damage
	Belongings []string
	KeyTag     string
	// Complaint is the customer's description in their own words.
	Complaint        string
	WalkaroundSigned bool
	DeliveredAt      *time.Time
	ExitPass         string
	NextServiceDate  *time.Time
	NextServiceKm    *int
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Limits on free text, so one request cannot store megabytes.
const (
	MaxShortText = 200
	MaxLongText  = 4000
	MaxListItems = 50
)

// CheckText validates required or optional free text: trimmed, within max
// runes, no control characters but newlines and tabs. It returns the trimmed text.
func CheckText(field, s string, required bool, max int) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", FieldErrorf(field, "%s must not be empty.", fieldLabel(field))
	}
	if !utf8.ValidString(s) {
		return "", FieldErrorf(field, "%s is not valid UTF-8 text.", fieldLabel(field))
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", FieldErrorf(field, "%s is %d characters long; at most %d are allowed.", fieldLabel(field), n, max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f {
			return "", FieldErrorf(field, "%s contains a control character.", fieldLabel(field))
		}
	}
	return s, nil
}

func fieldLabel(field string) string {
	if field == "" {
		return "The text"
	}
	return "The field " + field
}

// plateRe matches mainland Chinese plates: a province character, a letter,
// then 5 (ordinary) or 6 (new energy) letters/digits, optionally ending in
// 挂/学/警/港/澳. Separators (space, dot, middle dot, hyphen) are dropped.
var plateRe = regexp.MustCompile(`^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$`)

// NormalizePlate removes separators, upper-cases and checks a licence plate.
func NormalizePlate(s string) (string, error) {
	p := strings.ToUpper(strings.TrimSpace(s))
	p = strings.NewReplacer(" ", "", "·", "", ".", "", "-", "", "•", "").Replace(p)
	if !plateRe.MatchString(p) {
		return "", FieldErrorf("plate", "%q is not a licence plate: expected a province character, a letter and 5 or 6 letters or digits, e.g. 粤B12345.", truncate(s, 30))
	}
	return p, nil
}

// MaskPlate hides the middle of a plate for public display: 粤B12345 → 粤B·•••45.
func MaskPlate(p string) string {
	r := []rune(p)
	if len(r) < 5 {
		return strings.Repeat("•", len(r))
	}
	return string(r[:2]) + "·•••" + string(r[len(r)-2:])
}

// phoneRe accepts mainland mobiles and landlines with optional +86 and separators removed.
var phoneRe = regexp.MustCompile(`^(\+86)?(1[3-9][0-9]{9}|0[1-9][0-9]{1,3}[0-9]{7,8})$`)

// NormalizePhone removes separators and checks a phone number.
func NormalizePhone(s string) (string, error) {
	p := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(strings.TrimSpace(s))
	if !phoneRe.MatchString(p) {
		return "", FieldErrorf("phone", "%q is not a phone number: expected a mobile like 13800138000 or a landline with area code.", truncate(s, 30))
	}
	return p, nil
}

// MaskPhone keeps the first 3 and last 4 digits: 138****8000.
func MaskPhone(p string) string {
	if len(p) < 8 {
		return "****"
	}
	return p[:3] + "****" + p[len(p)-4:]
}

// ValidMileage checks an odometer reading in kilometres.
func ValidMileage(km int) error {
	if km < 0 || km > 2_000_000 {
		return FieldErrorf("mileage", "Mileage must be between 0 and 2,000,000 km; %d is not.", km)
	}
	return nil
}

// ValidFuelLevel checks a fuel level percentage.
func ValidFuelLevel(p int) error {
	if p < 0 || p > 100 {
		return FieldErrorf("fuelLevel", "Fuel level is a percentage from 0 to 100; %d is not.", p)
	}
	return nil
}

// Redact hides a customer's personal data from an actor who may not see it.
func (c *Customer) Redact(a *Actor) {
	if a != nil && Allowed(a.Role, ActReadPersonal) {
		return
	}
	if r := []rune(c.Name); len(r) > 0 {
		c.Name = string(r[:1]) + "**"
	}
	c.Phone = MaskPhone(c.Phone)
	c.Email = ""
	c.Address = ""
}

// Redact hides a vehicle's plate and VIN from an actor who may not see them.
func (v *Vehicle) Redact(a *Actor) {
	if a != nil && Allowed(a.Role, ActReadPersonal) {
		return
	}
	v.Plate = MaskPlate(v.Plate)
	if len(v.VIN) == 17 {
		v.VIN = v.VIN[:3] + "***********" + v.VIN[14:]
	}
}
