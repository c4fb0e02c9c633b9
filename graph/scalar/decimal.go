package scalar

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"bayboard/shop"
)

// MarshalDecimal writes an amount as an exact decimal string, e.g. "1280.50".
//
// The Decimal scalar is bound here, not by methods on shop.Money: a Go type
// with MarshalGQL is always written as a scalar, and shop.Money also backs
// the Money object ({ amount minorUnits currency }).
func MarshalDecimal(m shop.Money) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(m.String()))
	})
}

// UnmarshalDecimal reads a Decimal: a decimal string with at most two
// fraction digits, or a whole number. Anything else is INVALID.
func UnmarshalDecimal(v any) (shop.Money, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case int:
		s = strconv.Itoa(x)
	case json.Number:
		s = x.String()
	default:
		return 0, shop.Errorf(shop.EINVALID, "An amount of money must be a decimal string such as \"1280.50\".")
	}
	return shop.ParseMoney(s)
}
