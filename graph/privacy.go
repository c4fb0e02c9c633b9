package graph

import (
	"context"

	"bayboard/shop"
)

// Free text staff typed about a customer (descriptions, notes, reasons,
// findings) is read by every role, but a role that sees personal data
// masked reads it scrubbed (shop.RedactFreeText) of the customer's numbers,
// plate, VIN, e-mail and the names the customer goes by. The names are read
// only for such a role, through the request's loaders, so an advisor's query
// costs nothing more.

// redactText returns text as the request's actor may read it; customer is
// the customer the text is about, whose names are scrubbed from it.
func redactText(ctx context.Context, text string, customer func() (shop.CustomerID, error)) (string, error) {
	a := shop.ActorFromContext(ctx)
	if text == "" || shop.MayReadPersonal(a) {
		return text, nil
	}
	names, err := personalNames(ctx, customer)
	if err != nil {
		return "", err
	}
	return shop.RedactFreeText(a, text, names...), nil
}

// redactTexts is redactText over a list (a visit's belongings).
func redactTexts(ctx context.Context, texts []string, customer func() (shop.CustomerID, error)) ([]string, error) {
	a := shop.ActorFromContext(ctx)
	if len(texts) == 0 || shop.MayReadPersonal(a) {
		return texts, nil
	}
	names, err := personalNames(ctx, customer)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = shop.RedactFreeText(a, t, names...)
	}
	return out, nil
}

// personalNames returns the names of the customer a text is about; none
// when customer is nil (a text about no customer: numbers and plates are
// still scrubbed).
func personalNames(ctx context.Context, customer func() (shop.CustomerID, error)) ([]string, error) {
	if customer == nil {
		return nil, nil
	}
	id, err := customer()
	if err != nil {
		return nil, err
	}
	return loaders(ctx).PersonalNames.Load(ctx, id)()
}

// customerOfReservation returns the customer a reservation is for (its
// order's or its appointment's), nil for stock kept for no one.
func customerOfReservation(ctx context.Context, r *shop.PartReservation) func() (shop.CustomerID, error) {
	switch {
	case r.OrderID != nil:
		return customerOfOrder(ctx, *r.OrderID)
	case r.AppointmentID != nil:
		return func() (shop.CustomerID, error) {
			ap, err := mustLoad(ctx, loaders(ctx).Appointments, *r.AppointmentID, "appointment")
			if err != nil {
				return 0, err
			}
			return ap.CustomerID, nil
		}
	}
	return nil
}

// customerIs returns a fixed customer, for redactText.
func customerIs(id shop.CustomerID) func() (shop.CustomerID, error) {
	return func() (shop.CustomerID, error) { return id, nil }
}

// customerOfVisit returns the customer of a visit, for redactText.
func customerOfVisit(ctx context.Context, visit shop.VisitID) func() (shop.CustomerID, error) {
	return func() (shop.CustomerID, error) {
		v, err := mustLoad(ctx, loaders(ctx).Visits, visit, "visit")
		if err != nil {
			return 0, err
		}
		return v.CustomerID, nil
	}
}

// customerOfOrder returns the customer of a repair order, for redactText.
func customerOfOrder(ctx context.Context, order shop.OrderID) func() (shop.CustomerID, error) {
	return func() (shop.CustomerID, error) {
		o, err := mustLoad(ctx, loaders(ctx).Orders, order, "repair order")
		if err != nil {
			return 0, err
		}
		return customerOfVisit(ctx, o.VisitID)()
	}
}

// customerOfPlan returns the owner of a service plan's vehicle, for redactText.
func customerOfPlan(ctx context.Context, plan shop.ServicePlanID) func() (shop.CustomerID, error) {
	return func() (shop.CustomerID, error) {
		p, err := mustLoad(ctx, loaders(ctx).ServicePlans, plan, "service plan")
		if err != nil {
			return 0, err
		}
		v, err := mustLoad(ctx, loaders(ctx).Vehicles, p.VehicleID, "vehicle")
		if err != nil {
			return 0, err
		}
		return v.CustomerID, nil
	}
}
