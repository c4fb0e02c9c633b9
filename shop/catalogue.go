package shop

import (
	"fmt"
	"strings"
	"time"
)

// The labour operation catalogue (工时标准) and maintenance packages
// (保养套餐) an estimate picks from: an operation has standard minutes and
// a price (or the minutes at its labour rate), different for a model where
// the maker says so; a package is operations and parts due at a mileage.

// LabourOperation is a catalogue operation of a site.
type LabourOperation struct {
	ID              OperationID
	SiteID          SiteID
	Code            string
	Name            string
	StandardMinutes int
	// Price is the fixed price; nil prices the minutes at the rate.
	Price *Money
	// RateCode names the labour rate ("" the site's default rate).
	RateCode string
	Active   bool
	Version  int
	Models   []OperationModel `db:"-"`
}

// OperationModel is where a model differs from the standard.
type OperationModel struct {
	Model           string
	StandardMinutes int
	Price           *Money
}

// OperationInput is a new catalogue operation, or all of an edited one's
// fields but Active.
type OperationInput struct {
	Code            string
	Name            string
	StandardMinutes int
	Price           *Money
	RateCode        string
	Models          []OperationModel
}

// checkOperation checks in against the site's labour rate codes (rates).
func checkOperation(in OperationInput, rates map[string]Money) (LabourOperation, error) {
	code, err := CheckCode("code", in.Code)
	if err != nil {
		return LabourOperation{}, err
	}
	name, err := CheckText("name", in.Name, true, MaxShortText)
	if err != nil {
		return LabourOperation{}, err
	}
	if err := ValidLabourMinutes(in.StandardMinutes); err != nil {
		return LabourOperation{}, withField(err, "standardMinutes")
	}
	if in.Price != nil {
		if err := ValidPrice("price", *in.Price); err != nil {
			return LabourOperation{}, err
		}
	}
	rate := strings.ToUpper(strings.TrimSpace(in.RateCode))
	if _, ok := rates[rate]; rate != "" && !ok {
		return LabourOperation{}, NotFoundf("rateCode", "No labour rate %q is set up at this site.", rate)
	}
	seen := map[string]bool{}
	models := make([]OperationModel, 0, len(in.Models))
	for i, m := range in.Models {
		field := fmt.Sprintf("models[%d]", i)
		name, err := CheckText(field+".model", m.Model, true, 60)
		if err != nil {
			return LabourOperation{}, err
		}
		if seen[strings.ToLower(name)] {
			return LabourOperation{}, FieldErrorf(field+".model", "Model %s is given twice.", name)
		}
		seen[strings.ToLower(name)] = true
		if err := ValidLabourMinutes(m.StandardMinutes); err != nil {
			return LabourOperation{}, withField(err, field+".standardMinutes")
		}
		if m.Price != nil {
			if err := ValidPrice(field+".price", *m.Price); err != nil {
				return LabourOperation{}, err
			}
		}
		models = append(models, OperationModel{Model: name, StandardMinutes: m.StandardMinutes, Price: m.Price})
	}
	return LabourOperation{Code: code, Name: name, StandardMinutes: in.StandardMinutes, Price: in.Price, RateCode: rate,
		Active: true, Models: models}, nil
}

// NewOperation decides a new catalogue operation of site; rates are the
// site's labour rates by code. Errors: INVALID naming the field,
// NOT_FOUND (rateCode).
func NewOperation(site SiteID, in OperationInput, rates map[string]Money) (LabourOperation, Event, error) {
	op, err := checkOperation(in, rates)
	if err != nil {
		return op, Event{}, err
	}
	op.SiteID, op.Version = site, 1
	return op, siteEvent(site, EventCatalogueChanged, fmt.Sprintf("Operation %s (%s) added: %s", op.Code, op.Name, op.describe())), nil
}

// OperationChanges are the edits of a catalogue operation; nil fields
// stay. ClearPrice prices it at its rate again; Models replaces the list.
type OperationChanges struct {
	Name            *string
	StandardMinutes *int
	Price           *Money
	ClearPrice      bool
	RateCode        *string
	Models          *[]OperationModel
	Active          *bool
}

// EditOperation decides an operation's changes (its code stays) and
// whether it is still offered. Estimates already written keep their prices.
// Errors: INVALID naming the field, NOT_FOUND (rateCode).
func EditOperation(op LabourOperation, ch OperationChanges, rates map[string]Money) (LabourOperation, Event, error) {
	in := OperationInput{Code: op.Code, Name: op.Name, StandardMinutes: op.StandardMinutes, Price: op.Price,
		RateCode: op.RateCode, Models: op.Models}
	if ch.Name != nil {
		in.Name = *ch.Name
	}
	if ch.StandardMinutes != nil {
		in.StandardMinutes = *ch.StandardMinutes
	}
	if ch.Price != nil && ch.ClearPrice {
		return op, Event{}, FieldErrorf("price", "Give a price or clear it, not both.")
	} else if ch.Price != nil {
		in.Price = ch.Price
	} else if ch.ClearPrice {
		in.Price = nil
	}
	if ch.RateCode != nil {
		in.RateCode = *ch.RateCode
	}
	if ch.Models != nil {
		in.Models = *ch.Models
	}
	next, err := checkOperation(in, rates)
	if err != nil {
		return op, Event{}, err
	}
	next.ID, next.SiteID, next.Active, next.Version = op.ID, op.SiteID, op.Active, op.Version+1
	if ch.Active != nil {
		next.Active = *ch.Active
	}
	var log changeLog
	log.add("name", op.Name, next.Name)
	log.add("terms", op.describe(), next.describe())
	log.add("active", op.Active, next.Active)
	return next, siteEvent(op.SiteID, EventCatalogueChanged, "Operation "+op.Code+": "+log.String()), nil
}

func (op LabourOperation) describe() string {
	s := fmt.Sprintf("%d min", op.StandardMinutes)
	if op.Price != nil {
		s += " at " + op.Price.String()
	} else if op.RateCode != "" {
		s += " at rate " + op.RateCode
	}
	for _, m := range op.Models {
		s += fmt.Sprintf(", %s %d min", m.Model, m.StandardMinutes)
		if m.Price != nil {
			s += " at " + m.Price.String()
		}
	}
	return s
}

// For returns the minutes and price of op on a car of model: the model's
// own terms where it differs (model names compare case-insensitively), else
// the standard; a price when fixed, else the minutes at rate per hour. No
// error.
func (op LabourOperation) For(model string, rate Money) (minutes int, price Money) {
	minutes, fixed := op.StandardMinutes, op.Price
	for _, m := range op.Models {
		if strings.EqualFold(strings.TrimSpace(model), m.Model) {
			minutes = m.StandardMinutes
			if m.Price != nil {
				fixed = m.Price
			}
			break
		}
	}
	if fixed != nil {
		return minutes, *fixed
	}
	return minutes, LabourCharge(rate, minutes)
}

// PackagePart is a part of a maintenance package.
type PackagePart struct {
	PartNumber string
	Quantity   int
}

// ServicePackage is a maintenance package (保养套餐) due at a mileage, e.g.
// the 5,000 km minor and the 10,000 km major service.
type ServicePackage struct {
	ID           PackageID
	SiteID       SiteID
	Code         string
	Name         string
	MileageKm    int
	Active       bool
	Version      int
	OperationIDs []OperationID `db:"-"`
	Parts        []PackagePart `db:"-"`
}

// PackageInput is a new package, or all of an edited one's fields but Active.
type PackageInput struct {
	Code         string
	Name         string
	MileageKm    int
	OperationIDs []OperationID
	Parts        []PackagePart
}

// checkPackage checks in; ops are the site's catalogue operations by ID.
func checkPackage(site SiteID, in PackageInput, ops map[OperationID]*LabourOperation) (ServicePackage, error) {
	code, err := CheckCode("code", in.Code)
	if err != nil {
		return ServicePackage{}, err
	}
	name, err := CheckText("name", in.Name, true, MaxShortText)
	if err != nil {
		return ServicePackage{}, err
	}
	if in.MileageKm <= 0 || in.MileageKm > 500_000 {
		return ServicePackage{}, FieldErrorf("mileageKm", "A package is due at 1 to 500,000 km; %d is not.", in.MileageKm)
	}
	if len(in.OperationIDs)+len(in.Parts) == 0 {
		return ServicePackage{}, FieldErrorf("operationIds", "A package has at least one operation or part.")
	}
	if len(in.OperationIDs) > MaxListItems || len(in.Parts) > MaxListItems {
		return ServicePackage{}, FieldErrorf("parts", "A package has at most %d operations and %d parts.", MaxListItems, MaxListItems)
	}
	for i, id := range in.OperationIDs {
		op := ops[id]
		if op == nil || op.SiteID != site {
			return ServicePackage{}, NotFoundf(fmt.Sprintf("operationIds[%d]", i), "No catalogue operation with that ID exists at this site.")
		}
		if !op.Active {
			return ServicePackage{}, FieldErrorf(fmt.Sprintf("operationIds[%d]", i), "Operation %s is no longer offered.", op.Code)
		}
	}
	parts := make([]PackagePart, 0, len(in.Parts))
	for i, p := range in.Parts {
		field := fmt.Sprintf("parts[%d]", i)
		num, err := CheckPartNumber(field, p.PartNumber)
		if err != nil {
			return ServicePackage{}, err
		}
		if err := ValidQuantity(p.Quantity); err != nil {
			return ServicePackage{}, withField(err, field+".quantity")
		}
		parts = append(parts, PackagePart{PartNumber: num, Quantity: p.Quantity})
	}
	return ServicePackage{SiteID: site, Code: code, Name: name, MileageKm: in.MileageKm, Active: true,
		OperationIDs: append([]OperationID(nil), in.OperationIDs...), Parts: parts}, nil
}

// NewPackage decides a new maintenance package of site. Errors: INVALID
// naming the field, NOT_FOUND (operationIds[i]).
func NewPackage(site SiteID, in PackageInput, ops map[OperationID]*LabourOperation) (ServicePackage, Event, error) {
	p, err := checkPackage(site, in, ops)
	if err != nil {
		return p, Event{}, err
	}
	p.Version = 1
	return p, siteEvent(site, EventCatalogueChanged, fmt.Sprintf("Package %s (%s, %d km) added: %s", p.Code, p.Name, p.MileageKm, p.describe(ops))), nil
}

// PackageChanges are the edits of a package; nil fields stay, lists are replaced.
type PackageChanges struct {
	Name         *string
	MileageKm    *int
	OperationIDs *[]OperationID
	Parts        *[]PackagePart
	Active       *bool
}

// EditPackage decides a package's changes (its code stays) and whether it
// is still offered. Errors: INVALID naming the field, NOT_FOUND.
func EditPackage(p ServicePackage, ch PackageChanges, ops map[OperationID]*LabourOperation) (ServicePackage, Event, error) {
	in := PackageInput{Code: p.Code, Name: p.Name, MileageKm: p.MileageKm, OperationIDs: p.OperationIDs, Parts: p.Parts}
	if ch.Name != nil {
		in.Name = *ch.Name
	}
	if ch.MileageKm != nil {
		in.MileageKm = *ch.MileageKm
	}
	if ch.OperationIDs != nil {
		in.OperationIDs = *ch.OperationIDs
	}
	if ch.Parts != nil {
		in.Parts = *ch.Parts
	}
	next, err := checkPackage(p.SiteID, in, ops)
	if err != nil {
		return p, Event{}, err
	}
	next.ID, next.Active, next.Version = p.ID, p.Active, p.Version+1
	if ch.Active != nil {
		next.Active = *ch.Active
	}
	var log changeLog
	log.add("name", p.Name, next.Name)
	log.add("mileageKm", p.MileageKm, next.MileageKm)
	log.add("contents", p.describe(ops), next.describe(ops))
	log.add("active", p.Active, next.Active)
	return next, siteEvent(p.SiteID, EventCatalogueChanged, "Package "+p.Code+": "+log.String()), nil
}

func (p ServicePackage) describe(ops map[OperationID]*LabourOperation) string {
	var items []string
	for _, id := range p.OperationIDs {
		if op := ops[id]; op != nil {
			items = append(items, op.Code)
		}
	}
	for _, pp := range p.Parts {
		items = append(items, fmt.Sprintf("%s × %d", pp.PartNumber, pp.Quantity))
	}
	return strings.Join(items, ", ")
}

// SuggestPackage returns the package due for a car at mileage: the
// mileage rounded to the nearest multiple of the shortest interval, and of
// the packages whose mileage divides it the longest (at 50,000 km the
// 10,000 km major service, at 45,000 km the 5,000 km minor one). nil when
// no active package fits. No error.
func SuggestPackage(pkgs []*ServicePackage, mileage int) *ServicePackage {
	step := 0
	for _, p := range pkgs {
		if p.Active && (step == 0 || p.MileageKm < step) {
			step = p.MileageKm
		}
	}
	if step == 0 || mileage < step/2 {
		return nil
	}
	due := (mileage + step/2) / step * step
	var best *ServicePackage
	for _, p := range pkgs {
		if p.Active && due%p.MileageKm == 0 && (best == nil || p.MileageKm > best.MileageKm) {
			best = p
		}
	}
	return best
}

// CatalogueLines is what an estimate picks from the catalogue: operations
// (each with its labour rate) and parts with the site's catalogue part of
// each number (nil when not in the parts catalogue).
type CatalogueLines struct {
	Operations []*LabourOperation
	Rates      []Money // Rates[i] is the hourly rate of Operations[i]
	Parts      []PackagePart
	Catalogue  []*Part // Catalogue[i] is the part of Parts[i], or nil
	Source     string  // what was picked, for the event: "package MAINT-10K", "operations"
}

// AddCatalogueLines decides the jobs and part lines that picking lines
// adds to draft order o for a car of model: each operation becomes a job
// at its standard minutes and catalogue price for the model, each package
// part a line at the parts catalogue's price (a part the catalogue does not
// have is refused: a package names stocked parts). Errors:
// INVALID_TRANSITION, INVALID naming operationIds[i] or parts[i].
func AddCatalogueLines(o Order, model string, in CatalogueLines, now time.Time) ([]Job, []PartLine, Event, error) {
	if _, err := NextOrderState(o.State, OrderEdit); err != nil {
		return nil, nil, Event{}, err
	}
	if len(in.Operations)+len(in.Parts) == 0 {
		return nil, nil, Event{}, FieldErrorf("operationIds", "Pick at least one operation or a package.")
	}
	jobs := make([]Job, 0, len(in.Operations))
	for i, op := range in.Operations {
		field := fmt.Sprintf("operationIds[%d]", i)
		if !op.Active {
			return nil, nil, Event{}, FieldErrorf(field, "Operation %s is no longer offered.", op.Code)
		}
		minutes, price := op.For(model, in.Rates[i])
		j, err := NewJob(&o, JobLineInput{Description: op.Code + " " + op.Name, LabourMinutes: minutes, LabourPrice: &price}, 0, field, now)
		if err != nil {
			return nil, nil, Event{}, err
		}
		jobs = append(jobs, j)
	}
	parts := make([]PartLine, 0, len(in.Parts))
	for i, p := range in.Parts {
		field := fmt.Sprintf("parts[%d]", i)
		if in.Catalogue[i] == nil {
			return nil, nil, Event{}, FieldErrorf(field+".partNumber", "Part %s of the package is not in the parts catalogue; add it there first.", p.PartNumber)
		}
		pl, err := NewPartLine(&o, nil, PartLineInput{PartNumber: p.PartNumber, Quantity: p.Quantity}, in.Catalogue[i], field, now)
		if err != nil {
			return nil, nil, Event{}, err
		}
		parts = append(parts, pl)
	}
	var total Money
	for _, j := range jobs {
		total += j.LabourPrice
	}
	for _, p := range parts {
		total += p.Total()
	}
	return jobs, parts, OrderEvent(&o, EventOrderEdited, nil, fmt.Sprintf("From the catalogue (%s): %d jobs, %d parts, %s",
		in.Source, len(jobs), len(parts), total)), nil
}
