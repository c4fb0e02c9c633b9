package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"

	"bayboard/shop"
)

// translate turns driver errors into shop errors: the one place where SQL
// failures get a code. Constraint violations mean the input broke a rule the
// database guards; an unreachable database is UNAVAILABLE (retryable);
// everything else stays internal (its text never reaches a
// client, see the GraphQL error presenter).
func translate(err error) error {
	if err == nil {
		return nil
	}
	var se *shop.Error
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return err // the caller gave up: nobody waits for an answer
	}
	if IsUnavailable(err) {
		return &shop.Error{Code: shop.EUNAVAILABLE, Message: unavailableMessage}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return &shop.Error{Code: shop.ECONFLICT, Field: uniqueField(pe.Constraint), Message: uniqueMessage(pe.Constraint)}
		case "23503": // foreign_key_violation
			return &shop.Error{Code: shop.ENOTFOUND, Message: "A record this refers to does not exist."}
		case "23514": // check_violation
			return &shop.Error{Code: shop.EINVALID, Message: checkMessage(pe.Constraint)}
		case "22001": // string_data_right_truncation
			return &shop.Error{Code: shop.EINVALID, Message: "A text is too long."}
		case "40001", "40P01", "55P03": // serialization failure, deadlock, lock not available (NOWAIT)
			return &shop.Error{Code: shop.ECONFLICT, Message: "Someone else changed this at the same moment; try again."}
		}
	}
	return fmt.Errorf("database: %w", err)
}

// unavailableMessage is the answer while the database cannot be reached.
const unavailableMessage = "The service is temporarily unavailable; nothing was changed. Try again in a few seconds."

// IsUnavailable reports whether err means the database cannot be reached
// or is not accepting work right now (a retry later may succeed), rather
// than that the statement failed: a refused or broken connection, a
// connection the pool found bad, PostgreSQL's connection exceptions (class
// 08), its shutdown and start-up (57P01 to 57P03), and too many connections
// (53300). A deadline that expires while connecting is a failed dial, so it
// counts; one that expires while a statement runs does not.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var se *shop.Error
	if errors.As(err, &se) {
		return se.Code == shop.EUNAVAILABLE
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true // dial, read or write of the connection failed
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		code := string(pe.Code)
		return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03" || code == "53300"
	}
	return false
}

func uniqueMessage(constraint string) string {
	switch constraint {
	case "vehicles_site_id_plate_key":
		return "A vehicle with this plate already exists at this site."
	case "vehicles_site_vin_idx":
		return "A vehicle with this VIN already exists at this site."
	case "visits_appointment_idx":
		return "This appointment has already been received."
	case "settlements_order_id_key":
		return "This repair order is already settled."
	case "settlements_invoice_key":
		return "This invoice number is already recorded on another repair order of this site."
	case "bays_site_id_code_key":
		return "A bay with this code already exists at this site."
	case "parts_site_id_part_number_key":
		return "A part with this number already exists at this site."
	case "sites_code_key":
		return "A site with this code already exists."
	case "labour_rates_site_id_code_key":
		return "A labour rate with this code already exists at this site."
	case "teams_site_id_name_key":
		return "A team with this name already exists at this site."
	case "labour_operations_site_id_code_key":
		return "An operation with this code is already in this site's catalogue."
	case "service_packages_site_id_code_key":
		return "A package with this code already exists at this site."
	}
	return "This record already exists."
}

// uniqueField names the input field a unique violation is about, where the
// inputs that can break the constraint agree on its path.
func uniqueField(constraint string) string {
	switch constraint {
	case "vehicles_site_id_plate_key":
		return "vehicle.plate"
	case "vehicles_site_vin_idx":
		return "vehicle.vin"
	case "visits_appointment_idx":
		return "appointmentId"
	case "settlements_order_id_key":
		return "orderId"
	case "sites_code_key", "bays_site_id_code_key", "labour_rates_site_id_code_key", "labour_operations_site_id_code_key",
		"service_packages_site_id_code_key":
		return "code" // the master-data inputs all call it code
	case "teams_site_id_name_key":
		return "name"
	case "settlements_invoice_key":
		return "invoiceNumber"
	}
	return ""
}

func checkMessage(constraint string) string {
	switch constraint {
	case "parts_on_hand_check", "parts_check":
		return "Not enough stock: stock can never go below zero or below what is reserved."
	}
	return "The input breaks a rule of the records (" + constraint + ")."
}

// atField returns err naming the input field at path. The domain's checks
// name a bare field ("quantity"); only the store knows where in the input it
// sits ("parts[0].quantity").
func atField(path string, err error) error {
	var se *shop.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	e := *se
	e.Field = path
	return &e
}

// fieldPath joins the path of an input object and a field name.
func fieldPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// notFound returns the NOT_FOUND error for a kind of record; records of other
// sites get the same answer, so IDs reveal nothing across sites.
func notFound(kind string) error {
	return shop.NotFoundf("", "No %s with that ID exists.", kind)
}

// notFoundAt returns the NOT_FOUND error of a row that input field named and
// that is missing (or is another site's): the one place, with translate,
// where the store turns an empty result into a shop error.
func notFoundAt(field, message string) error {
	return shop.NotFoundf(field, "%s", message)
}

// isNoRows reports whether err means an empty result.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// findOne reads one record of the actor's sites; query takes the ID as $1
// and the actor's sites as $2. Errors: UNAUTHENTICATED, NOT_FOUND.
func findOne[T any](d *DB, ctx context.Context, query string, id any, kind string) (*T, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var v T
	err = d.db.GetContext(ctx, &v, query, id, pq.Array(a.SiteIDs))
	if isNoRows(err) {
		return nil, notFound(kind)
	}
	return &v, translate(err)
}

// authorize returns the request's actor when it may perform act on site.
// Errors: UNAUTHENTICATED, NOT_FOUND (another site), FORBIDDEN.
func authorize(ctx context.Context, site shop.SiteID, act shop.Action) (*shop.Actor, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	return a, shop.Authorize(a, site, act)
}

// ---------------------------------------------------------------------------
// Helper B (issue 13): the not-found translation of the callbacks, parts,
// warranty, customers and sites commands. A missing row (or one of a site the
// actor may not see) is translation, not a rule: the rules themselves are
// decisions in shop/.

// missingAt is notFound naming the input field that pointed at the missing record.
func missingAt(field, kind string) error { return atField(field, notFound(kind)) }
