package store

import (
	"strings"
	"unicode"

	"github.com/jmoiron/sqlx/reflectx"
)

// snakeMapper maps Go field names to column names: LabourMinutes →
// labour_minutes, SiteID → site_id, QCPassedAt → qc_passed_at, VIN → vin.
// It lets rows scan straight into shop types, with no row structs to keep in step.
var snakeMapper = reflectx.NewMapperFunc("db", toSnake)

func toSnake(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		if unicode.IsUpper(c) {
			if i > 0 && (unicode.IsLower(r[i-1]) || (i+1 < len(r) && unicode.IsLower(r[i+1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(c))
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}
