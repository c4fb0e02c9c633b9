package shop

import (
	"regexp"
	"strings"
)

// Vehicle identification numbers (VIN, 车辆识别代号): ISO 3779 shape, the
// check digit at position 9 (North America; China's GB 16735 uses the same
// one), and the world manufacturer identifier (WMI, positions 1-3) that
// names the maker.

// vinRe: 17 characters, letters and digits without I, O and Q (ISO 3779).
var vinRe = regexp.MustCompile(`^[A-HJ-NPR-Z0-9]{17}$`)

// vinWeights are the position weights of the check-digit sum; position 9
// (the check digit itself) weighs nothing.
var vinWeights = [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}

// NormalizeVIN upper-cases and checks a vehicle identification number,
// including the check digit (position 9) that North American and Chinese
// VINs carry. Errors: INVALID on "vin" (callers rename the field, e.g.
// "vehicle.vin").
func NormalizeVIN(s string) (string, error) {
	v := strings.ToUpper(strings.TrimSpace(s))
	if !vinRe.MatchString(v) {
		return "", FieldErrorf("vin", "%q is not a VIN: a VIN has 17 letters and digits, without I, O or Q.", truncate(s, 30))
	}
	if want := VINCheckDigit(v); v[8] != want {
		return "", FieldErrorf("vin", "%q is not a valid VIN: its check digit (9th character) is %c, but the other characters give %c.",
			v, v[8], want)
	}
	return v, nil
}

// VINCheckDigit returns the check digit ('0'-'9' or 'X') of a VIN of 17
// characters in the VIN alphabet: the sum of each character's value times
// its position's weight, modulo 11. Position 9 itself is ignored, so a VIN
// may be passed with any placeholder there. It returns 0 for input that is
// not 17 VIN characters (no error code: callers check the shape first).
func VINCheckDigit(v string) byte {
	if len(v) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		n, ok := vinValue(v[i])
		if !ok && i != 8 {
			return 0
		}
		sum += n * vinWeights[i]
	}
	if r := sum % 11; r < 10 {
		return byte('0' + r)
	}
	return 'X'
}

// vinValue is the transliteration of a VIN character; I, O and Q never occur.
func vinValue(c byte) (int, bool) {
	const letters = "12345678_12345_7_923456789" // A..Z
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z' && letters[c-'A'] != '_':
		return int(letters[c-'A'] - '0'), true
	}
	return 0, false
}

// wmiMakes maps common world manufacturer identifiers, as seen in a Chinese
// dealership's workshop (joint ventures first), to the make on the badge.
var wmiMakes = map[string]string{
	// China (L…)
	"LSV": "Volkswagen", "LFV": "Volkswagen", "LFP": "FAW", "LVG": "Toyota", "LFM": "Toyota", "LTV": "Toyota",
	"LHG": "Honda", "LVH": "Honda", "LSG": "Buick", "LBV": "BMW", "LE4": "Mercedes-Benz", "LVS": "Ford",
	"LGB": "Nissan", "LGX": "BYD", "LC0": "BYD", "LB3": "Geely", "L6T": "Geely", "LVV": "Chery", "LGW": "Great Wall",
	"LRW": "Tesla", "LVR": "Mazda", "LJD": "Kia", "LBE": "Hyundai", "LDC": "Dongfeng Peugeot-Citroën",
	"LSJ": "MG", "LS5": "Changan", "LNB": "BAIC", "LZW": "Wuling", "LFB": "Hongqi", "LDP": "Dongfeng",
	"LGA": "Dongfeng", "LS4": "Changan", "LUR": "Chery", "LA6": "Li Auto", "LNN": "Chery", "LFZ": "Leapmotor",
	"LJ1": "JAC", "LYV": "Volvo",
	// Europe, Japan, Korea, North America
	"WVW": "Volkswagen", "WV1": "Volkswagen", "WV2": "Volkswagen", "WAU": "Audi", "WBA": "BMW", "WBS": "BMW",
	"WDD": "Mercedes-Benz", "WDB": "Mercedes-Benz", "W1K": "Mercedes-Benz", "WP0": "Porsche", "WF0": "Ford",
	"VF1": "Renault", "VF3": "Peugeot", "VF7": "Citroën", "ZFA": "Fiat", "ZFF": "Ferrari", "YV1": "Volvo",
	"SAJ": "Jaguar", "SAL": "Land Rover", "TRU": "Audi", "JTD": "Toyota", "JTE": "Toyota", "JTH": "Lexus",
	"JHM": "Honda", "JN1": "Nissan", "JM1": "Mazda", "JF1": "Subaru", "JA3": "Mitsubishi", "KMH": "Hyundai",
	"KNA": "Kia", "1G1": "Chevrolet", "1GC": "Chevrolet", "1FA": "Ford", "1FT": "Ford", "1HG": "Honda",
	"2T1": "Toyota", "4T1": "Toyota", "5YJ": "Tesla", "7SA": "Tesla", "1M8": "Motor Coach Industries",
}

// VINMake returns the make a VIN's world manufacturer identifier (its first
// three characters) names, and whether the table knows it. No error: an
// unknown WMI is not a wrong VIN.
func VINMake(vin string) (string, bool) {
	v := strings.ToUpper(strings.TrimSpace(vin))
	if len(v) < 3 {
		return "", false
	}
	mk, ok := wmiMakes[v[:3]]
	return mk, ok
}

// VINRegion returns where a VIN's maker is registered, from its first
// character (ISO 3780 regions), "" when it names none.
func VINRegion(vin string) string {
	if vin == "" {
		return ""
	}
	switch c := vin[0]; {
	case c == 'L':
		return "China"
	case c == 'J':
		return "Japan"
	case c == 'K':
		return "South Korea"
	case c == 'W':
		return "Germany"
	case c == 'S':
		return "United Kingdom"
	case c == 'V':
		return "France or Spain"
	case c == 'Z':
		return "Italy"
	case c == 'Y':
		return "Sweden or Finland"
	case c == 'T':
		return "Switzerland or Czechia"
	case c >= '1' && c <= '5':
		return "North America"
	case c == '7':
		return "New Zealand or the United States"
	}
	return ""
}

// VINInfo is what a VIN says about its car.
type VINInfo struct {
	VIN    string
	Make   string // "" when the WMI is not in the table
	Region string
}

// DecodeVIN checks a VIN (NormalizeVIN) and reads its maker. Errors:
// INVALID on "vin".
func DecodeVIN(s string) (VINInfo, error) {
	v, err := NormalizeVIN(s)
	if err != nil {
		return VINInfo{}, err
	}
	mk, _ := VINMake(v)
	return VINInfo{VIN: v, Make: mk, Region: VINRegion(v)}, nil
}
