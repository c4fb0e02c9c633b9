package graph

import (
	"context"
	"errors"

	"bayboard/shop"
)

// Helpers of graph/money.resolvers.go (money that adds up, issue 15).

// age returns how old a receivable is by its site's calendar and the clock.
func (r *Resolver) age(ctx context.Context, rc *shop.Receivable) (int, shop.AgeBucket, error) {
	site, err := loaders(ctx).Sites.Load(ctx, rc.SiteID)()
	if err != nil {
		return 0, "", err
	}
	loc := shop.Zone("")
	if site != nil {
		loc = site.Location()
	}
	days := shop.AgeInDays(rc.OpenedAt, r.DB.Now(), loc)
	return days, shop.BucketOf(days), nil
}

// breaches lists the breaches shop.CheckBooks joined into one error.
func breaches(err error) []string {
	out := []string{}
	if err == nil {
		return out
	}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return append(out, err.Error())
}
