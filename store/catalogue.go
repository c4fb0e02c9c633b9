package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"bayboard/shop"
)

// The labour operation catalogue (工时标准), maintenance packages, and
// estimates written from them.

const operationColumns = `id, site_id, code, name, standard_minutes, price, rate_code, active, version`

// OperationModelInput is where a model differs from an operation's standard.
type OperationModelInput struct {
	Model           string
	StandardMinutes int
	Price           *shop.Money
}

func operationModels(in []*OperationModelInput) []shop.OperationModel {
	out := make([]shop.OperationModel, len(in))
	for i, m := range in {
		out[i] = shop.OperationModel{Model: m.Model, StandardMinutes: m.StandardMinutes, Price: m.Price}
	}
	return out
}

// siteRates returns a site's labour rates by code.
func siteRates(c *change, site shop.SiteID) (map[string]shop.Money, error) {
	var rows []shop.LabourRate
	if err := c.tx.SelectContext(c.ctx, &rows, `SELECT `+labourRateColumns+` FROM labour_rates WHERE site_id = $1`, site); err != nil {
		return nil, err
	}
	out := make(map[string]shop.Money, len(rows))
	for _, r := range rows {
		out[r.Code] = r.Rate
	}
	return out, nil
}

// loadOperations reads operations (with their model terms) by a WHERE on
// labour_operations.
func loadOperations(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) ([]*shop.LabourOperation, error) {
	var ops []*shop.LabourOperation
	if err := sqlx.SelectContext(ctx, q, &ops, `SELECT `+operationColumns+` FROM labour_operations WHERE `+where+` ORDER BY code`, args...); err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return ops, nil
	}
	byID := make(map[shop.OperationID]*shop.LabourOperation, len(ops))
	ids := make([]shop.OperationID, len(ops))
	for i, op := range ops {
		byID[op.ID], ids[i] = op, op.ID
	}
	var models []struct {
		OperationID shop.OperationID
		shop.OperationModel
	}
	if err := sqlx.SelectContext(ctx, q, &models, `
		SELECT operation_id, model, standard_minutes, price FROM labour_operation_models
		WHERE operation_id = ANY($1) ORDER BY operation_id, model`, pq.Array(ids)); err != nil {
		return nil, err
	}
	for _, m := range models {
		byID[m.OperationID].Models = append(byID[m.OperationID].Models, m.OperationModel)
	}
	return ops, nil
}

func saveOperationModels(c *change, op *shop.LabourOperation) error {
	if _, err := c.tx.ExecContext(c.ctx, `DELETE FROM labour_operation_models WHERE operation_id = $1`, op.ID); err != nil {
		return err
	}
	for _, m := range op.Models {
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO labour_operation_models (operation_id, model, standard_minutes, price) VALUES ($1, $2, $3, $4)`,
			op.ID, m.Model, m.StandardMinutes, m.Price); err != nil {
			return err
		}
	}
	return nil
}

// AddLabourOperationInput is a new catalogue operation.
type AddLabourOperationInput struct {
	SiteID          shop.SiteID
	Code            string
	Name            string
	StandardMinutes int
	Price           *shop.Money
	RateCode        *string
	Models          []*OperationModelInput
}

// AddLabourOperation adds an operation to a site's catalogue (see
// shop.NewOperation). Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT (code taken).
func (d *DB) AddLabourOperation(ctx context.Context, in AddLabourOperationInput) (*shop.LabourOperation, error) {
	return mutate(d, ctx, "addLabourOperation", "", in, func(c *change) (*shop.LabourOperation, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActMasterData); err != nil {
			return nil, atField("siteId", err)
		}
		rates, err := siteRates(c, in.SiteID)
		if err != nil {
			return nil, err
		}
		op, ev, err := shop.NewOperation(in.SiteID, shop.OperationInput{Code: in.Code, Name: in.Name,
			StandardMinutes: in.StandardMinutes, Price: in.Price, RateCode: deref(in.RateCode), Models: operationModels(in.Models)}, rates)
		if err != nil {
			return nil, err
		}
		if err := c.tx.QueryRowContext(c.ctx, `
			INSERT INTO labour_operations (site_id, code, name, standard_minutes, price, rate_code, active, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			op.SiteID, op.Code, op.Name, op.StandardMinutes, op.Price, op.RateCode, op.Active, op.Version).Scan(&op.ID); err != nil {
			return nil, err
		}
		if err := saveOperationModels(c, &op); err != nil {
			return nil, err
		}
		return &op, c.event(ev)
	})
}

// UpdateLabourOperationInput changes a catalogue operation; Models, when
// given, replaces the list.
type UpdateLabourOperationInput struct {
	OperationID     shop.OperationID
	ExpectedVersion *int
	Name            *string
	StandardMinutes *int
	Price           *shop.Money
	ClearPrice      *bool
	RateCode        *string
	Models          []*OperationModelInput
	Active          *bool
	IdempotencyKey  *string
}

// UpdateLabourOperation changes an operation (see shop.EditOperation).
// Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) UpdateLabourOperation(ctx context.Context, in UpdateLabourOperationInput) (*shop.LabourOperation, error) {
	return mutate(d, ctx, "updateLabourOperation", deref(in.IdempotencyKey), in, func(c *change) (*shop.LabourOperation, error) {
		if _, err := c.tx.ExecContext(c.ctx, `SELECT 1 FROM labour_operations WHERE id = $1 FOR UPDATE`, in.OperationID); err != nil {
			return nil, err
		}
		ops, err := loadOperations(c.ctx, c.tx, `id = $1`, in.OperationID)
		if err != nil {
			return nil, err
		}
		if len(ops) == 0 || !c.actor.CanSeeSite(ops[0].SiteID) {
			return nil, missingAt("operationId", "catalogue operation")
		}
		op := ops[0]
		if err := shop.Authorize(c.actor, op.SiteID, shop.ActMasterData); err != nil {
			return nil, err
		}
		if err := checkVersion("catalogue operation", in.ExpectedVersion, op.Version); err != nil {
			return nil, err
		}
		rates, err := siteRates(c, op.SiteID)
		if err != nil {
			return nil, err
		}
		ch := shop.OperationChanges{Name: in.Name, StandardMinutes: in.StandardMinutes, Price: in.Price,
			ClearPrice: in.ClearPrice != nil && *in.ClearPrice, RateCode: in.RateCode, Active: in.Active}
		if in.Models != nil {
			m := operationModels(in.Models)
			ch.Models = &m
		}
		next, ev, err := shop.EditOperation(*op, ch, rates)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE labour_operations SET name = $2, standard_minutes = $3, price = $4, rate_code = $5, active = $6, version = $7
			WHERE id = $1`, next.ID, next.Name, next.StandardMinutes, next.Price, next.RateCode, next.Active, next.Version); err != nil {
			return nil, err
		}
		if err := saveOperationModels(c, &next); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

// FindLabourOperations lists a site's catalogue by code, the retired
// operations too when inactive is true.
func (d *DB) FindLabourOperations(ctx context.Context, site shop.SiteID, inactive bool) ([]*shop.LabourOperation, error) {
	if _, err := authorize(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	ops, err := loadOperations(ctx, d.db, `site_id = $1 AND (active OR $2)`, site, inactive)
	return ops, translate(err)
}

// FindLabourOperationsByIDs returns operations by ID within the actor's sites.
func (d *DB) FindLabourOperationsByIDs(ctx context.Context, ids []shop.OperationID) (map[shop.OperationID]*shop.LabourOperation, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	ops, err := loadOperations(ctx, d.db, `id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids), pq.Array(a.SiteIDs))
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[shop.OperationID]*shop.LabourOperation, len(ops))
	for _, op := range ops {
		out[op.ID] = op
	}
	return out, nil
}

const packageColumns = `id, site_id, code, name, mileage_km, active, version`

// loadPackages reads packages with their operations and parts.
func loadPackages(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) ([]*shop.ServicePackage, error) {
	var pkgs []*shop.ServicePackage
	if err := sqlx.SelectContext(ctx, q, &pkgs, `SELECT `+packageColumns+` FROM service_packages WHERE `+where+` ORDER BY mileage_km, code`, args...); err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return pkgs, nil
	}
	byID := make(map[shop.PackageID]*shop.ServicePackage, len(pkgs))
	ids := make([]shop.PackageID, len(pkgs))
	for i, p := range pkgs {
		byID[p.ID], ids[i] = p, p.ID
	}
	var ops []struct {
		PackageID   shop.PackageID
		OperationID shop.OperationID
	}
	if err := sqlx.SelectContext(ctx, q, &ops, `
		SELECT package_id, operation_id FROM service_package_operations WHERE package_id = ANY($1) ORDER BY package_id, position`,
		pq.Array(ids)); err != nil {
		return nil, err
	}
	for _, o := range ops {
		byID[o.PackageID].OperationIDs = append(byID[o.PackageID].OperationIDs, o.OperationID)
	}
	var parts []struct {
		PackageID shop.PackageID
		shop.PackagePart
	}
	if err := sqlx.SelectContext(ctx, q, &parts, `
		SELECT package_id, part_number, quantity FROM service_package_parts WHERE package_id = ANY($1) ORDER BY package_id, position`,
		pq.Array(ids)); err != nil {
		return nil, err
	}
	for _, p := range parts {
		byID[p.PackageID].Parts = append(byID[p.PackageID].Parts, p.PackagePart)
	}
	return pkgs, nil
}

func savePackageLines(c *change, p *shop.ServicePackage) error {
	for _, q := range []string{`DELETE FROM service_package_operations WHERE package_id = $1`, `DELETE FROM service_package_parts WHERE package_id = $1`} {
		if _, err := c.tx.ExecContext(c.ctx, q, p.ID); err != nil {
			return err
		}
	}
	for i, id := range p.OperationIDs {
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO service_package_operations (package_id, position, operation_id) VALUES ($1, $2, $3)`, p.ID, i, id); err != nil {
			return err
		}
	}
	for i, pp := range p.Parts {
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO service_package_parts (package_id, position, part_number, quantity) VALUES ($1, $2, $3, $4)`,
			p.ID, i, pp.PartNumber, pp.Quantity); err != nil {
			return err
		}
	}
	return nil
}

// siteOperations returns a site's operations by ID, for package checks.
func siteOperations(c *change, site shop.SiteID) (map[shop.OperationID]*shop.LabourOperation, error) {
	ops, err := loadOperations(c.ctx, c.tx, `site_id = $1`, site)
	if err != nil {
		return nil, err
	}
	out := make(map[shop.OperationID]*shop.LabourOperation, len(ops))
	for _, op := range ops {
		out[op.ID] = op
	}
	return out, nil
}

// PackagePartInput is a part of a maintenance package.
type PackagePartInput struct {
	PartNumber string
	Quantity   int
}

func packageParts(in []*PackagePartInput) []shop.PackagePart {
	out := make([]shop.PackagePart, len(in))
	for i, p := range in {
		out[i] = shop.PackagePart{PartNumber: p.PartNumber, Quantity: p.Quantity}
	}
	return out
}

// AddServicePackageInput is a new maintenance package.
type AddServicePackageInput struct {
	SiteID       shop.SiteID
	Code         string
	Name         string
	MileageKm    int
	OperationIDs []shop.OperationID
	Parts        []*PackagePartInput
}

// AddServicePackage adds a maintenance package (see shop.NewPackage).
// Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT (code taken).
func (d *DB) AddServicePackage(ctx context.Context, in AddServicePackageInput) (*shop.ServicePackage, error) {
	return mutate(d, ctx, "addServicePackage", "", in, func(c *change) (*shop.ServicePackage, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActMasterData); err != nil {
			return nil, atField("siteId", err)
		}
		ops, err := siteOperations(c, in.SiteID)
		if err != nil {
			return nil, err
		}
		p, ev, err := shop.NewPackage(in.SiteID, shop.PackageInput{Code: in.Code, Name: in.Name, MileageKm: in.MileageKm,
			OperationIDs: in.OperationIDs, Parts: packageParts(in.Parts)}, ops)
		if err != nil {
			return nil, err
		}
		if err := c.tx.QueryRowContext(c.ctx, `
			INSERT INTO service_packages (site_id, code, name, mileage_km, active, version) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			p.SiteID, p.Code, p.Name, p.MileageKm, p.Active, p.Version).Scan(&p.ID); err != nil {
			return nil, err
		}
		if err := savePackageLines(c, &p); err != nil {
			return nil, err
		}
		return &p, c.event(ev)
	})
}

// UpdateServicePackageInput changes a package; lists, when given, replace the old ones.
type UpdateServicePackageInput struct {
	PackageID       shop.PackageID
	ExpectedVersion *int
	Name            *string
	MileageKm       *int
	OperationIDs    []shop.OperationID
	Parts           []*PackagePartInput
	Active          *bool
	IdempotencyKey  *string
}

// UpdateServicePackage changes a package (see shop.EditPackage). Errors:
// INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) UpdateServicePackage(ctx context.Context, in UpdateServicePackageInput) (*shop.ServicePackage, error) {
	return mutate(d, ctx, "updateServicePackage", deref(in.IdempotencyKey), in, func(c *change) (*shop.ServicePackage, error) {
		if _, err := c.tx.ExecContext(c.ctx, `SELECT 1 FROM service_packages WHERE id = $1 FOR UPDATE`, in.PackageID); err != nil {
			return nil, err
		}
		pkgs, err := loadPackages(c.ctx, c.tx, `id = $1`, in.PackageID)
		if err != nil {
			return nil, err
		}
		if len(pkgs) == 0 || !c.actor.CanSeeSite(pkgs[0].SiteID) {
			return nil, missingAt("packageId", "package")
		}
		p := pkgs[0]
		if err := shop.Authorize(c.actor, p.SiteID, shop.ActMasterData); err != nil {
			return nil, err
		}
		if err := checkVersion("package", in.ExpectedVersion, p.Version); err != nil {
			return nil, err
		}
		ops, err := siteOperations(c, p.SiteID)
		if err != nil {
			return nil, err
		}
		ch := shop.PackageChanges{Name: in.Name, MileageKm: in.MileageKm, Active: in.Active}
		if in.OperationIDs != nil {
			ch.OperationIDs = &in.OperationIDs
		}
		if in.Parts != nil {
			parts := packageParts(in.Parts)
			ch.Parts = &parts
		}
		next, ev, err := shop.EditPackage(*p, ch, ops)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE service_packages SET name = $2, mileage_km = $3, active = $4, version = $5 WHERE id = $1`,
			next.ID, next.Name, next.MileageKm, next.Active, next.Version); err != nil {
			return nil, err
		}
		if err := savePackageLines(c, &next); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

// FindServicePackages lists a site's maintenance packages by mileage, the
// retired ones too when inactive is true.
func (d *DB) FindServicePackages(ctx context.Context, site shop.SiteID, inactive bool) ([]*shop.ServicePackage, error) {
	if _, err := authorize(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	pkgs, err := loadPackages(ctx, d.db, `site_id = $1 AND (active OR $2)`, site, inactive)
	return pkgs, translate(err)
}

// AddCatalogueLinesInput picks catalogue operations and/or a maintenance
// package for a DRAFT order's estimate.
type AddCatalogueLinesInput struct {
	OrderID         shop.OrderID
	ExpectedVersion *int
	OperationIDs    []shop.OperationID
	PackageID       *shop.PackageID
	IdempotencyKey  *string
}

// AddCatalogueLines adds the picked operations (then the package's) as jobs
// priced for the car's model, and the package's parts as part lines priced
// from the parts catalogue (see shop.AddCatalogueLines). Errors: INVALID,
// NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) AddCatalogueLines(ctx context.Context, in AddCatalogueLinesInput) (*shop.Order, error) {
	return d.orderStepAfter(ctx, "addCatalogueLines", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate,
		func(c *change) error { return lockPackageParts(c, in.OrderID, in.PackageID) },
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			var model string
			if err := c.tx.GetContext(c.ctx, &model, `
				SELECT v.model FROM visits vi JOIN vehicles v ON v.id = vi.vehicle_id WHERE vi.id = $1`, o.VisitID); err != nil {
				return nil, err
			}
			all, err := siteOperations(c, o.SiteID)
			if err != nil {
				return nil, err
			}
			var lines shop.CatalogueLines
			lines.Source = "operations"
			for i, id := range in.OperationIDs {
				op := all[id]
				if op == nil {
					return nil, notFoundAt(fmt.Sprintf("operationIds[%d]", i), "No catalogue operation with that ID exists at this site.")
				}
				lines.Operations = append(lines.Operations, op)
			}
			if in.PackageID != nil {
				pkgs, err := loadPackages(c.ctx, c.tx, `id = $1 AND site_id = $2`, *in.PackageID, o.SiteID)
				if err != nil {
					return nil, err
				}
				if len(pkgs) == 0 {
					return nil, missingAt("packageId", "package")
				}
				lines.Source = "package " + pkgs[0].Code
				for _, id := range pkgs[0].OperationIDs {
					lines.Operations = append(lines.Operations, all[id])
				}
				lines.Parts = pkgs[0].Parts
			}
			rates, err := siteRates(c, o.SiteID)
			if err != nil {
				return nil, err
			}
			def, err := labourRate(c, o.SiteID, nil)
			if err != nil {
				return nil, err
			}
			for _, op := range lines.Operations {
				r, ok := rates[op.RateCode]
				if !ok {
					r = def
				}
				lines.Rates = append(lines.Rates, r)
			}
			for i, p := range lines.Parts {
				part, err := findCatalogue(c, o.SiteID, p.PartNumber, fmt.Sprintf("parts[%d]", i))
				if err != nil {
					return nil, err
				}
				lines.Catalogue = append(lines.Catalogue, part)
			}
			jobs, parts, ev, err := shop.AddCatalogueLines(*o, model, lines, c.now)
			if err != nil {
				return nil, err
			}
			for i := range jobs {
				if err := insertJob(c, &jobs[i]); err != nil {
					return nil, err
				}
			}
			for i := range parts {
				if err := insertPartLine(c, &parts[i]); err != nil {
					return nil, err
				}
				if err := reserveAddedLine(c, o, &parts[i]); err != nil { // the line holds its stock
					return nil, err
				}
			}
			return []shop.Event{ev}, estimate(c, o)
		})
}
