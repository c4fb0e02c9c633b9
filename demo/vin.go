package demo

import "fmt"

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

func vinCheckDigit(v []byte) byte {
	weights := [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	const letters = "12345678_12345_7_923456789" // A..Z; I, O and Q never occur
	sum := 0
	for i, c := range v {
		n := 0
		switch {
		case c >= '0' && c <= '9':
			n = int(c - '0')
		case c >= 'A' && c <= 'Z':
			n = int(letters[c-'A'] - '0')
		}
		sum += n * weights[i]
	}
	if r := sum % 11; r < 10 {
		return byte('0' + r)
	}
	return 'X'
}
