package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"bayboard/shop"
)

// Corrections of customer records and vehicles, and merging duplicates
// (issue 15). The event of each carries the before and after.

// lockCustomer reads a customer for update with the survivor it was merged
// into, checks the actor may correct records at its site and the version.
func lockCustomer(c *change, id shop.CustomerID, field string, expected *int) (*shop.Customer, *shop.CustomerID, error) {
	var merged *int64
	var dest scanInto
	cu, _ := scanCustomer(&dest)
	dest = append(dest, &merged)
	err := c.tx.QueryRowContext(c.ctx, `SELECT `+customerColumns+`, merged_into FROM customers WHERE id = $1 FOR UPDATE`, id).Scan(dest...)
	if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(cu.SiteID)) {
		return nil, nil, notFoundAt(field, "No customer with that ID exists.")
	} else if err != nil {
		return nil, nil, err
	}
	if err := shop.Authorize(c.actor, cu.SiteID, shop.ActMasterData); err != nil {
		return nil, nil, err
	}
	var into *shop.CustomerID
	if merged != nil {
		m := shop.CustomerID(*merged)
		into = &m
	}
	return cu, into, checkVersion("customer", expected, cu.Version)
}

// CustomerChangesInput are the corrections of a customer's fields.
type CustomerChangesInput struct {
	Name    *string
	Phone   *string
	Email   *string
	Address *string
}

// UpdateCustomerInput corrects a customer record.
type UpdateCustomerInput struct {
	CustomerID      shop.CustomerID
	ExpectedVersion *int
	Customer        CustomerChangesInput
	IdempotencyKey  *string
}

// UpdateCustomer corrects a customer (see shop.EditCustomer). Errors:
// INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) UpdateCustomer(ctx context.Context, in UpdateCustomerInput) (*shop.Customer, error) {
	return mutate(d, ctx, "updateCustomer", deref(in.IdempotencyKey), in, func(c *change) (*shop.Customer, error) {
		cu, merged, err := lockCustomer(c, in.CustomerID, "customerId", in.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		next, ev, err := shop.EditCustomer(*cu, merged, shop.CustomerChanges{Name: in.Customer.Name, Phone: in.Customer.Phone,
			Email: in.Customer.Email, Address: in.Customer.Address}, c.now)
		if err != nil {
			return nil, err
		}
		if err := saveCustomer(c, &next); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

func saveCustomer(c *change, cu *shop.Customer) error {
	_, err := c.tx.ExecContext(c.ctx, `
		UPDATE customers SET name = $2, phone = $3, email = $4, address = $5, version = $6, updated_at = $7 WHERE id = $1`,
		cu.ID, cu.Name, cu.Phone, cu.Email, cu.Address, cu.Version, cu.UpdatedAt)
	return err
}

// VehicleChangesInput are the corrections of a vehicle's fields.
type VehicleChangesInput struct {
	Plate        *string
	VIN          *string
	Make         *string
	Model        *string
	Year         *int
	Colour       *string
	Mileage      *int
	ContactName  *string
	ContactPhone *string
}

// UpdateVehicleInput corrects a vehicle, moves it to another owner, or
// records who brings it in (送修人).
type UpdateVehicleInput struct {
	VehicleID       shop.VehicleID
	ExpectedVersion *int
	OwnerID         *shop.CustomerID
	Vehicle         VehicleChangesInput
	IdempotencyKey  *string
}

// UpdateVehicle corrects a vehicle (see shop.EditVehicle). Its visits and
// orders keep the owner they had. Errors: INVALID, NOT_FOUND, FORBIDDEN,
// CONFLICT (version; plate or VIN of another vehicle).
func (d *DB) UpdateVehicle(ctx context.Context, in UpdateVehicleInput) (*shop.Vehicle, error) {
	return mutate(d, ctx, "updateVehicle", deref(in.IdempotencyKey), in, func(c *change) (*shop.Vehicle, error) {
		var dest scanInto
		v, _ := scanVehicle(&dest)
		var contact shop.VehicleContact
		dest = append(dest, &contact.Name, &contact.Phone)
		err := c.tx.QueryRowContext(c.ctx, `SELECT `+vehicleColumns+`, contact_name, contact_phone FROM vehicles WHERE id = $1 FOR UPDATE`,
			in.VehicleID).Scan(dest...)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(v.SiteID)) {
			return nil, notFoundAt("vehicleId", "No vehicle with that ID exists.")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, v.SiteID, shop.ActMasterData); err != nil {
			return nil, err
		}
		if err := checkVersion("vehicle", in.ExpectedVersion, v.Version); err != nil {
			return nil, err
		}
		var owner shop.VehicleOwner
		if in.OwnerID != nil {
			var row struct {
				SiteID     shop.SiteID
				MergedInto *shop.CustomerID
			}
			err := c.tx.GetContext(c.ctx, &row, `SELECT site_id, merged_into FROM customers WHERE id = $1`, *in.OwnerID)
			if err == nil {
				owner = shop.VehicleOwner{SiteID: &row.SiteID, MergedInto: row.MergedInto}
			} else if !isNoRows(err) {
				return nil, err
			}
		}
		ch := in.Vehicle
		next, nc, ev, err := shop.EditVehicle(*v, contact, shop.VehicleChanges{Plate: ch.Plate, VIN: ch.VIN, Make: ch.Make,
			Model: ch.Model, Year: ch.Year, Colour: ch.Colour, Mileage: ch.Mileage, OwnerID: in.OwnerID,
			ContactName: ch.ContactName, ContactPhone: ch.ContactPhone}, owner, c.now)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE vehicles SET customer_id = $2, plate = $3, vin = $4, make = $5, model = $6, year = $7, colour = $8,
				mileage = $9, contact_name = $10, contact_phone = $11, version = $12, updated_at = $13
			WHERE id = $1`, next.ID, next.CustomerID, next.Plate, next.VIN, next.Make, next.Model, next.Year, next.Colour,
			next.Mileage, nc.Name, nc.Phone, next.Version, next.UpdatedAt); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

// MergeCustomersInput merges a duplicate customer record into the one that stays.
type MergeCustomersInput struct {
	SurvivorID       shop.CustomerID
	DuplicateID      shop.CustomerID
	ExpectedVersion  *int // the survivor's
	DuplicateVersion *int
	IdempotencyKey   *string
}

// MergeCustomers merges a duplicate into the survivor (see
// shop.MergeCustomers): every row naming the duplicate's customer_id, in
// any table (vehicles, appointments, visits, callbacks, complaints and what
// later migrations add), moves to the survivor in the same transaction, and
// the duplicate stays as a record pointing at the survivor. Errors:
// INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) MergeCustomers(ctx context.Context, in MergeCustomersInput) (*shop.Customer, error) {
	return mutate(d, ctx, "mergeCustomers", deref(in.IdempotencyKey), in, func(c *change) (*shop.Customer, error) {
		// Both locked in ID order, so two merges of the same pair never deadlock.
		first, second := in.SurvivorID, in.DuplicateID
		if second < first {
			first, second = second, first
		}
		locked := map[shop.CustomerID]struct {
			c      *shop.Customer
			merged *shop.CustomerID
		}{}
		for _, id := range []shop.CustomerID{first, second} {
			field, expected := "survivorId", in.ExpectedVersion
			if id == in.DuplicateID && id != in.SurvivorID {
				field, expected = "duplicateId", in.DuplicateVersion
			}
			cu, merged, err := lockCustomer(c, id, field, expected)
			if err != nil {
				return nil, err
			}
			locked[id] = struct {
				c      *shop.Customer
				merged *shop.CustomerID
			}{cu, merged}
		}
		s, dup := locked[in.SurvivorID], locked[in.DuplicateID]
		next, ev, err := shop.MergeCustomers(*s.c, *dup.c, s.merged, dup.merged, c.now)
		if err != nil {
			return nil, err
		}
		var tables []string
		if err := c.tx.SelectContext(c.ctx, &tables, `
			SELECT table_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND column_name = 'customer_id' AND table_name <> 'customers'
			ORDER BY table_name`); err != nil {
			return nil, err
		}
		for _, t := range tables {
			if _, err := c.tx.ExecContext(c.ctx, fmt.Sprintf(`UPDATE %s SET customer_id = $2 WHERE customer_id = $1`,
				pq.QuoteIdentifier(t)), dup.c.ID, next.ID); err != nil {
				return nil, err
			}
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE customers SET merged_into = $2, version = version + 1, updated_at = $3 WHERE id = $1`,
			dup.c.ID, next.ID, c.now); err != nil {
			return nil, err
		}
		if err := saveCustomer(c, &next); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

// FindCustomerMerges returns, of the given customers, those merged away
// and the survivor each was merged into.
func (d *DB) FindCustomerMerges(ctx context.Context, ids []shop.CustomerID) (map[shop.CustomerID]shop.CustomerID, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID         shop.CustomerID
		MergedInto shop.CustomerID
	}
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT id, merged_into FROM customers WHERE id = ANY($1) AND site_id = ANY($2) AND merged_into IS NOT NULL`,
		pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := make(map[shop.CustomerID]shop.CustomerID, len(rows))
	for _, r := range rows {
		out[r.ID] = r.MergedInto
	}
	return out, nil
}

// FindVehicleContact returns who brings a vehicle in (送修人), masked for
// roles that may not see personal data.
func (d *DB) FindVehicleContact(ctx context.Context, id shop.VehicleID) (*shop.VehicleContact, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var c shop.VehicleContact
	err = d.db.QueryRowContext(ctx, `SELECT contact_name, contact_phone FROM vehicles WHERE id = $1 AND site_id = ANY($2)`,
		id, pq.Array(a.SiteIDs)).Scan(&c.Name, &c.Phone)
	if isNoRows(err) {
		return nil, notFound("vehicle")
	} else if err != nil {
		return nil, translate(err)
	}
	if !shop.MayReadPersonal(a) {
		c.Name = shop.MaskName(c.Name)
		if c.Phone != "" {
			c.Phone = shop.MaskPhone(c.Phone)
		}
	}
	return &c, nil
}
