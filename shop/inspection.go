package shop

import (
	"io"
	"strings"
	"time"
)

// The digital inspection (电子检查单): a site-defined checklist per kind of
// visit, filled in on the tablet item by item (green, amber, red, with a note
// and photos); an amber or red item becomes proposed additional work in one
// tap.

// IDs of the inspection's records.
type (
	ChecklistID      int64
	InspectionID     int64
	InspectionItemID int64
)

// Type names in global IDs.
const (
	TypeChecklist      = "InspectionChecklist"
	TypeInspection     = "VehicleInspection"
	TypeInspectionItem = "InspectionItem"
)

func (id ChecklistID) MarshalGQL(w io.Writer)      { marshalID(w, TypeChecklist, int64(id)) }
func (id InspectionID) MarshalGQL(w io.Writer)     { marshalID(w, TypeInspection, int64(id)) }
func (id InspectionItemID) MarshalGQL(w io.Writer) { marshalID(w, TypeInspectionItem, int64(id)) }

func (id *ChecklistID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeChecklist)
	*id = ChecklistID(n)
	return err
}
func (id *InspectionID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeInspection)
	*id = InspectionID(n)
	return err
}
func (id *InspectionItemID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeInspectionItem)
	*id = InspectionItemID(n)
	return err
}

// ItemStatus is the traffic light of one inspection item.
type ItemStatus string

// Inspection item statuses.
const (
	ItemGreen ItemStatus = "GREEN" // fine
	ItemAmber ItemStatus = "AMBER" // needs attention soon
	ItemRed   ItemStatus = "RED"   // needs attention now (a safety matter)
)

// Valid reports whether s is a known status.
func (s ItemStatus) Valid() bool { return s == ItemGreen || s == ItemAmber || s == ItemRed }

// ChecklistEntry is one line of a checklist: what to check, and the work a
// finding proposes (labour minutes, and a catalogue part if any).
type ChecklistEntry struct {
	Name          string `json:"name"`
	LabourMinutes int    `json:"labourMinutes"`
	PartNumber    string `json:"partNumber,omitempty"`
	Quantity      int    `json:"quantity,omitempty"`
}

// Checklist is a site's checklist for a kind of visit (e.g. the 35,000 km
// service: brakes, tyres, fluids, lights, wipers).
type Checklist struct {
	ID        ChecklistID
	SiteID    SiteID
	Name      string
	WorkType  WorkType
	Entries   []ChecklistEntry
	CreatedBy UserID
	CreatedAt time.Time
}

// VehicleInspection is a checklist being filled in on an order (named so
// beside Inspection, the final inspection's input).
type VehicleInspection struct {
	ID          InspectionID
	SiteID      SiteID
	OrderID     OrderID
	ChecklistID ChecklistID
	Name        string
	StartedBy   UserID
	StartedAt   time.Time
}

// InspectionItem is one checked line.
type InspectionItem struct {
	ID               InspectionItemID
	SiteID           SiteID
	InspectionID     InspectionID
	OrderID          OrderID
	Seq              int
	Name             string
	LabourMinutes    int
	PartNumber       string
	Quantity         int
	Status           *ItemStatus
	Note             string
	RecordedBy       *UserID
	RecordedAt       *time.Time
	AdditionalWorkID *AdditionalWorkID
	Version          int
}

// Checklist limits.
const (
	MaxChecklistEntries = 60
	MaxEntryMinutes     = 600
)

// DefineChecklist decides a checklist for site: who sets the site's rules
// may; a name, a known kind of visit, 1 to 60 lines with distinct names,
// labour 0 to 600 minutes, a quantity with a part number. Errors:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID (with the field).
func DefineChecklist(site SiteID, name string, wt WorkType, entries []ChecklistEntry, by *Actor, now time.Time) (Checklist, error) {
	if err := Authorize(by, site, ActSiteSettings); err != nil {
		return Checklist{}, err
	}
	name, err := CheckText("name", name, true, MaxShortText)
	if err != nil {
		return Checklist{}, err
	}
	switch wt {
	case WorkMaintenance, WorkRepair, WorkWarranty, WorkAccident:
	default:
		return Checklist{}, FieldErrorf("workType", "Unknown kind of visit %q.", wt)
	}
	if len(entries) == 0 || len(entries) > MaxChecklistEntries {
		return Checklist{}, FieldErrorf("entries", "A checklist has 1 to %d lines, not %d.", MaxChecklistEntries, len(entries))
	}
	seen := map[string]bool{}
	out := make([]ChecklistEntry, len(entries))
	for i, e := range entries {
		e.Name = strings.TrimSpace(e.Name)
		if e.Name == "" || len(e.Name) > MaxShortText {
			return Checklist{}, FieldErrorf("entries", "Line %d needs a name of at most %d characters.", i+1, MaxShortText)
		}
		if seen[e.Name] {
			return Checklist{}, FieldErrorf("entries", "Line %q is listed twice.", e.Name)
		}
		seen[e.Name] = true
		if e.LabourMinutes < 0 || e.LabourMinutes > MaxEntryMinutes {
			return Checklist{}, FieldErrorf("entries", "Line %q: labour is 0 to %d minutes.", e.Name, MaxEntryMinutes)
		}
		e.PartNumber = strings.TrimSpace(e.PartNumber)
		if e.PartNumber == "" {
			e.Quantity = 0
		} else if e.Quantity <= 0 {
			e.Quantity = 1
		}
		out[i] = e
	}
	return Checklist{SiteID: site, Name: name, WorkType: wt, Entries: out, CreatedBy: by.UserID, CreatedAt: now}, nil
}

// mayInspect checks a may fill in an inspection of order o: whoever works on
// or reports findings of the site's jobs, while the car is in work or QC.
func mayInspect(o *Order, by *Actor) error {
	if err := Authorize(by, o.SiteID, ActRequestExtra); err != nil {
		return err
	}
	if o.State != OrderInWork && o.State != OrderQC {
		return Errorf(EINVALIDTRANSITION, "Order %s is %s: inspections are filled in while the car is in work.", o.Number, o.State.Describe())
	}
	return nil
}

// StartInspection decides the start of checklist cl on order o: one item
// per checklist line, unchecked. Errors: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID_TRANSITION.
func StartInspection(o *Order, cl *Checklist, by *Actor, now time.Time) (VehicleInspection, []InspectionItem, error) {
	if err := mayInspect(o, by); err != nil {
		return VehicleInspection{}, nil, err
	}
	if cl.SiteID != o.SiteID {
		return VehicleInspection{}, nil, NotFoundf("checklistId", "No checklist with that ID exists.")
	}
	in := VehicleInspection{SiteID: o.SiteID, OrderID: o.ID, ChecklistID: cl.ID, Name: cl.Name, StartedBy: by.UserID, StartedAt: now}
	items := make([]InspectionItem, len(cl.Entries))
	for i, e := range cl.Entries {
		items[i] = InspectionItem{SiteID: o.SiteID, OrderID: o.ID, Seq: i + 1, Name: e.Name, LabourMinutes: e.LabourMinutes,
			PartNumber: e.PartNumber, Quantity: e.Quantity, Version: 1}
	}
	return in, items, nil
}

// RecordInspectionItem decides a technician's check of item it on order o:
// green, or amber/red with a note saying what was found. An item already
// turned into proposed work keeps its finding. Errors: UNAUTHENTICATED,
// NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, INVALID.
func RecordInspectionItem(it InspectionItem, o *Order, status ItemStatus, note string, by *Actor, now time.Time) (InspectionItem, error) {
	if err := mayInspect(o, by); err != nil {
		return it, err
	}
	if !status.Valid() {
		return it, FieldErrorf("status", "A check is GREEN, AMBER or RED, not %q.", status)
	}
	note, err := CheckText("note", note, status != ItemGreen, MaxLongText)
	if err != nil {
		return it, err
	}
	if it.AdditionalWorkID != nil {
		return it, Errorf(EINVALIDTRANSITION, "%q already became proposed work: change that request instead.", it.Name)
	}
	it.Status, it.Note, it.RecordedBy, it.RecordedAt = &status, note, &by.UserID, &now
	it.Version++
	return it, nil
}

// ProposeFromItem decides turning an amber or red item into proposed
// additional work, in one tap: its line's labour (and catalogue part, with
// the returned part line), the finding as the reason, red as a safety
// matter. Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION,
// INVALID.
func ProposeFromItem(it InspectionItem, o *Order, by *Actor) (AdditionalRequest, []PartLineInput, error) {
	if err := mayInspect(o, by); err != nil {
		return AdditionalRequest{}, nil, err
	}
	if it.AdditionalWorkID != nil {
		return AdditionalRequest{}, nil, Errorf(EINVALIDTRANSITION, "%q is already proposed to the customer.", it.Name)
	}
	if it.Status == nil || *it.Status == ItemGreen {
		return AdditionalRequest{}, nil, FieldErrorf("itemId", "Only an amber or red finding becomes proposed work; %q is not one.", it.Name)
	}
	mins := it.LabourMinutes
	if mins == 0 {
		mins = 30
	}
	req := AdditionalRequest{Description: it.Name, Reason: it.Note, LabourMinutes: mins, ExtraMinutes: mins, Safety: *it.Status == ItemRed}
	var parts []PartLineInput
	if it.PartNumber != "" {
		parts = append(parts, PartLineInput{PartNumber: it.PartNumber, Quantity: it.Quantity})
	}
	return req, parts, nil
}
