package shop

import (
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Each record kind has its own ID type, so an order's ID can never be passed
// where a job's is expected. On the API every ID is global (Relay's Node):
// base64url("Type:number"), opaque to clients.
type (
	SiteID           int64
	UserID           int64
	BayID            int64
	CustomerID       int64
	VehicleID        int64
	AppointmentID    int64
	VisitID          int64
	OrderID          int64
	JobID            int64
	PartLineID       int64
	PartID           int64
	AdditionalWorkID int64
	CheckID          int64
	SettlementID     int64
	EventID          int64

	PartReservationID int64
	PartIssueID       int64
	StockReceiptID    int64
	WarrantyClaimID   int64
	RetainedPartID    int64
	CallbackID        int64
	ComplaintID       int64
	ServicePlanID     int64
	ReminderID        int64
)

// Type names used in global IDs; they are the GraphQL type names.
const (
	TypeSite           = "Site"
	TypeUser           = "User"
	TypeBay            = "Bay"
	TypeCustomer       = "Customer"
	TypeVehicle        = "Vehicle"
	TypeAppointment    = "Appointment"
	TypeVisit          = "Visit"
	TypeOrder          = "RepairOrder"
	TypeJob            = "Job"
	TypePartLine       = "PartLine"
	TypePart           = "Part"
	TypeAdditionalWork = "AdditionalWorkRequest"
	TypeCheck          = "Check"
	TypeSettlement     = "Settlement"
	TypeEvent          = "Event"

	TypePartReservation = "PartReservation"
	TypePartIssue       = "PartIssue"
	TypeStockReceipt    = "StockReceipt"
	TypeWarrantyClaim   = "WarrantyClaim"
	TypeRetainedPart    = "RetainedPart"
	TypeCallback        = "Callback"
	TypeComplaint       = "Complaint"
	TypeServicePlan     = "ServicePlan"
	TypeReminder        = "Reminder"
)

// GlobalID encodes a record's type and number as an opaque global ID.
func GlobalID(typ string, n int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(n, 10)))
}

// maxGlobalIDLen bounds input before decoding; real IDs are far shorter.
const maxGlobalIDLen = 64

// ParseGlobalID decodes a global ID into its type and number. It returns
// INVALID for anything that is not an ID this server issued.
func ParseGlobalID(s string) (typ string, n int64, err error) {
	// Built only when needed: every ID of every request passes here.
	bad := func() error { return Errorf(EINVALID, "%q is not a valid ID.", truncate(s, 40)) }
	if len(s) == 0 || len(s) > maxGlobalIDLen {
		return "", 0, bad()
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return "", 0, bad()
	}
	typ, num, ok := strings.Cut(string(b), ":")
	if !ok || typ == "" {
		return "", 0, bad()
	}
	n, err = strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != num {
		return "", 0, bad()
	}
	return typ, n, nil
}

// ParseTypedID decodes a global ID that must be of type want. The field names
// the input field for the error.
func ParseTypedID(field, want, s string) (int64, error) {
	typ, n, err := ParseGlobalID(s)
	if err != nil {
		return 0, &Error{Code: EINVALID, Field: field, Message: ErrorMessage(err)}
	}
	if typ != want {
		return 0, &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf("The ID given for %s is a %s ID; a %s ID is needed here.", field, typ, want)}
	}
	return n, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func marshalID(w io.Writer, typ string, n int64) {
	_, _ = io.WriteString(w, strconv.Quote(GlobalID(typ, n)))
}

func unmarshalID(v any, typ string) (int64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, Errorf(EINVALID, "An ID must be a string.")
	}
	return ParseTypedID("id", typ, s)
}

// The MarshalGQL/UnmarshalGQL methods let the GraphQL layer bind these types to
// the ID scalar without a mapping layer; they need no GraphQL import.

func (id SiteID) MarshalGQL(w io.Writer)           { marshalID(w, TypeSite, int64(id)) }
func (id UserID) MarshalGQL(w io.Writer)           { marshalID(w, TypeUser, int64(id)) }
func (id BayID) MarshalGQL(w io.Writer)            { marshalID(w, TypeBay, int64(id)) }
func (id CustomerID) MarshalGQL(w io.Writer)       { marshalID(w, TypeCustomer, int64(id)) }
func (id VehicleID) MarshalGQL(w io.Writer)        { marshalID(w, TypeVehicle, int64(id)) }
func (id AppointmentID) MarshalGQL(w io.Writer)    { marshalID(w, TypeAppointment, int64(id)) }
func (id VisitID) MarshalGQL(w io.Writer)          { marshalID(w, TypeVisit, int64(id)) }
func (id OrderID) MarshalGQL(w io.Writer)          { marshalID(w, TypeOrder, int64(id)) }
func (id JobID) MarshalGQL(w io.Writer)            { marshalID(w, TypeJob, int64(id)) }
func (id PartLineID) MarshalGQL(w io.Writer)       { marshalID(w, TypePartLine, int64(id)) }
func (id PartID) MarshalGQL(w io.Writer)           { marshalID(w, TypePart, int64(id)) }
func (id AdditionalWorkID) MarshalGQL(w io.Writer) { marshalID(w, TypeAdditionalWork, int64(id)) }
func (id CheckID) MarshalGQL(w io.Writer)          { marshalID(w, TypeCheck, int64(id)) }
func (id SettlementID) MarshalGQL(w io.Writer)     { marshalID(w, TypeSettlement, int64(id)) }
func (id EventID) MarshalGQL(w io.Writer)          { marshalID(w, TypeEvent, int64(id)) }

func (id *SiteID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeSite)
	*id = SiteID(n)
	return err
}
func (id *UserID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeUser)
	*id = UserID(n)
	return err
}
func (id *BayID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeBay)
	*id = BayID(n)
	return err
}
func (id *CustomerID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeCustomer)
	*id = CustomerID(n)
	return err
}
func (id *VehicleID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeVehicle)
	*id = VehicleID(n)
	return err
}
func (id *AppointmentID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeAppointment)
	*id = AppointmentID(n)
	return err
}
func (id *VisitID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeVisit)
	*id = VisitID(n)
	return err
}
func (id *OrderID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeOrder)
	*id = OrderID(n)
	return err
}
func (id *JobID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeJob)
	*id = JobID(n)
	return err
}
func (id *PartLineID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypePartLine)
	*id = PartLineID(n)
	return err
}
func (id *PartID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypePart)
	*id = PartID(n)
	return err
}
func (id *AdditionalWorkID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeAdditionalWork)
	*id = AdditionalWorkID(n)
	return err
}
func (id *CheckID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeCheck)
	*id = CheckID(n)
	return err
}
func (id *SettlementID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeSettlement)
	*id = SettlementID(n)
	return err
}
func (id *EventID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeEvent)
	*id = EventID(n)
	return err
}

func (id PartReservationID) MarshalGQL(w io.Writer) { marshalID(w, TypePartReservation, int64(id)) }
func (id PartIssueID) MarshalGQL(w io.Writer)       { marshalID(w, TypePartIssue, int64(id)) }
func (id StockReceiptID) MarshalGQL(w io.Writer)    { marshalID(w, TypeStockReceipt, int64(id)) }
func (id WarrantyClaimID) MarshalGQL(w io.Writer)   { marshalID(w, TypeWarrantyClaim, int64(id)) }
func (id RetainedPartID) MarshalGQL(w io.Writer)    { marshalID(w, TypeRetainedPart, int64(id)) }
func (id CallbackID) MarshalGQL(w io.Writer)        { marshalID(w, TypeCallback, int64(id)) }
func (id ComplaintID) MarshalGQL(w io.Writer)       { marshalID(w, TypeComplaint, int64(id)) }
func (id ServicePlanID) MarshalGQL(w io.Writer)     { marshalID(w, TypeServicePlan, int64(id)) }
func (id ReminderID) MarshalGQL(w io.Writer)        { marshalID(w, TypeReminder, int64(id)) }
func (id *PartReservationID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypePartReservation)
	*id = PartReservationID(n)
	return err
}
func (id *PartIssueID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypePartIssue)
	*id = PartIssueID(n)
	return err
}
func (id *StockReceiptID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeStockReceipt)
	*id = StockReceiptID(n)
	return err
}
func (id *WarrantyClaimID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeWarrantyClaim)
	*id = WarrantyClaimID(n)
	return err
}
func (id *RetainedPartID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeRetainedPart)
	*id = RetainedPartID(n)
	return err
}
func (id *CallbackID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeCallback)
	*id = CallbackID(n)
	return err
}
func (id *ComplaintID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeComplaint)
	*id = ComplaintID(n)
	return err
}
func (id *ServicePlanID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeServicePlan)
	*id = ServicePlanID(n)
	return err
}
func (id *ReminderID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeReminder)
	*id = ReminderID(n)
	return err
}
