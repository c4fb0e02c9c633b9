package demo

import (
	"fmt"

	"bayboard/shop"
)

// vin builds a vehicle identification number from its first eight
// characters (world manufacturer code and vehicle descriptor), the model
// year, the plant and a serial number, with the check digit (9th character)
// computed as ISO 3779 / GB 16735 require.
func vin(prefix string, year int, plant byte, serial int) string {
	b := []byte(fmt.Sprintf("%.8s0%c%c%06d", prefix, yearCode(year), plant, serial%1_000_000))
	b[8] = vinCheckDigit(b)
	return string(b)
}

// yearCode is the model-year character (10th) of a VIN: 2010 is A, 2018 J …
func yearCode(year int) byte {
	const codes = "ABCDEFGHJKLMNPRSTVWXY123456789"
	i := (year - 2010) % len(codes)
	if i < 0 {
		i += len(codes)
	}
	return codes[i]
}

// vinCheckDigit is shop's rule (ISO 3779 / GB 16735): one rule for what
// the demo makes and what reception accepts.
func vinCheckDigit(v []byte) byte { return shop.VINCheckDigit(string(v)) }
