package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"bayboard/shop"
	"bayboard/store"
)

// appointmentsOfDay returns a site's appointments on the local day from
// (Site.appointments). The list keeps its shape, so it holds at most one
// store page; when the day has more, the response says so in its errors
// (code INVALID, field date) instead of cutting the list silently.
func appointmentsOfDay(ctx context.Context, db *store.DB, site shop.SiteID, from time.Time) ([]*shop.Appointment, error) {
	rows, err := db.FindAppointments(ctx, store.AppointmentFilter{SiteID: site, From: from, To: from.AddDate(0, 0, 1),
		First: store.MaxAppointmentPage})
	if err != nil {
		return nil, err
	}
	if len(rows) > store.MaxAppointmentPage {
		graphql.AddError(ctx, shop.FieldErrorf("date", "More than %d appointments are scheduled on that day; the list shows the first %d, by time.",
			store.MaxAppointmentPage, store.MaxAppointmentPage))
		rows = rows[:store.MaxAppointmentPage]
	}
	return rows, nil
}
