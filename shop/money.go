package shop

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an exact amount in minor units (fen for CNY). Floats never carry money.
type Money int64

// MaxMoney bounds any single amount (10 billion major units) so sums of many
// lines can never overflow int64.
const MaxMoney Money = 10_000_000_000_00

// ParseMoney parses a decimal string with at most two fraction digits, e.g.
// "1280", "1280.5", "-3.20". It returns INVALID for anything else, including
// exponents, thousands separators and amounts beyond MaxMoney.
func ParseMoney(s string) (Money, error) {
	orig := s
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || (hasDot && (len(frac) == 0 || len(frac) > 2)) {
		return 0, Errorf(EINVALID, "%q is not an amount of money: use digits with at most two decimals, e.g. 1280.50.", orig)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, Errorf(EINVALID, "%q is not an amount of money: use digits with at most two decimals, e.g. 1280.50.", orig)
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || Money(n) > MaxMoney {
		return 0, Errorf(EINVALID, "%q is too large an amount.", orig)
	}
	if neg {
		n = -n
	}
	return Money(n), nil
}

// String formats m as a plain decimal with two fraction digits, e.g. "1280.50".
func (m Money) String() string {
	sign := ""
	n := int64(m)
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
}

// Times returns m multiplied by a whole quantity.
func (m Money) Times(q int) Money { return m * Money(q) }

// LabourCharge returns the price of minutes of labour at an hourly rate,
// rounded half up to the minor unit.
func LabourCharge(ratePerHour Money, minutes int) Money {
	return (ratePerHour*Money(minutes) + 30) / 60
}

// Amount returns the amount as an exact decimal string, e.g. "1280.50".
func (m Money) Amount() string { return m.String() }

// MinorUnits returns the amount in minor units (fen).
func (m Money) MinorUnits() int64 { return int64(m) }

// Currency returns the ISO 4217 code every amount is in. A deployment bills in
// one currency, the renminbi; a multi-currency group would make this a field.
func (m Money) Currency() string { return Currency }

// Currency is the ISO 4217 code of every amount.
const Currency = "CNY"
