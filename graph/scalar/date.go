// Package scalar holds the GraphQL custom scalars that are not domain types.
// It may import gqlgen's graphql package and shop.
package scalar

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"bayboard/shop"
)

// MarshalDate writes a calendar date as "YYYY-MM-DD".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads a "YYYY-MM-DD" date; anything else is INVALID.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, shop.Errorf(shop.EINVALID, "A date must be a string like 2026-11-24.")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, shop.Errorf(shop.EINVALID, "%s is not a date like 2026-11-24.", strconv.Quote(s))
	}
	return t, nil
}

var _ = fmt.Sprint
