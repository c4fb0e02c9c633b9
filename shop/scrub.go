package shop

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Scrubbed stands in the place of whatever Scrub removes.
const Scrubbed = "***"

var (
	// emailRe: an address, as people type one.
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// plateInTextRe: a mainland plate inside text, with the separators people
	// type (粤B12345, 粤B·D12345, 粤 B-12345).
	plateInTextRe = regexp.MustCompile(`[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][ ]?[A-Za-z][ ]?[·•.\- ]?[ ]?[A-Za-z0-9]{5,6}`)
	// digitRunRe: a run of digits that may be one number written in groups
	// (138 1234 5678, 0755-8888 8888, +86 139…), with an ID card's final X.
	digitRunRe = regexp.MustCompile(`\+?[0-9０-９](?:[ \-]?[0-9０-９])*[XxＸ]?`)
	// dateRe: a calendar date, which is not personal: 2026-12-05.
	dateRe = regexp.MustCompile(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$`)
	// honorificRe: a surname with a title, the way staff write a customer
	// down (王先生, 李女士, 张小姐).
	honorificRe = regexp.MustCompile(`\p{Han}(先生|女士|小姐|太太)`)
)

// minPersonalDigits is the length from which a number in free text is taken
// for a phone, ID card, bank card or account number: local landlines have 7
// digits; mileages, prices and quantities have fewer.
const minPersonalDigits = 7

// Scrub removes personal data from staff-typed free text (a job's
// description, a pause note) before a role that sees only masked data reads
// it: phone numbers, ID card and other long numbers, VINs, licence plates,
// e-mail addresses, any of names (the customer's own, the contact's), and
// a surname written with its title (王先生). Each is replaced by Scrubbed.
// It is idempotent, keeps valid UTF-8 valid, and leaves mileages, prices,
// dates and part numbers alone.
func Scrub(text string, names ...string) string {
	// One pass can make a new match: masking the long number at the end of
	// 000000A000000A00A0000000 leaves a 17-character run, a VIN. So passes
	// repeat until nothing changes: each change masks letters, digits or Han
	// characters and adds none, so a few passes end it (16 is far beyond
	// what any text needs).
	for range 16 {
		next := scrubOnce(text, names)
		if next == text {
			break
		}
		text = next
	}
	return text
}

// scrubOnce is one pass of Scrub.
func scrubOnce(text string, names []string) string {
	if text == "" {
		return text
	}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if utf8.RuneCountInString(n) < 2 || !utf8.ValidString(n) || strings.Contains(n, Scrubbed[:1]) {
			continue // a single character would blot out ordinary words; a broken one, split a character
		}
		text = strings.ReplaceAll(text, n, Scrubbed)
	}
	text = emailRe.ReplaceAllString(text, Scrubbed)
	text = plateInTextRe.ReplaceAllString(text, Scrubbed)
	text = scrubVINs(text)
	text = digitRunRe.ReplaceAllStringFunc(text, func(m string) string {
		if dateRe.MatchString(m) {
			return m
		}
		digits := 0
		for _, r := range m {
			if unicode.IsDigit(r) {
				digits++
			}
		}
		if digits >= minPersonalDigits {
			return Scrubbed
		}
		return m
	})
	text = honorificRe.ReplaceAllStringFunc(text, func(m string) string {
		_, size := utf8.DecodeRuneInString(m)
		return Scrubbed + m[size:]
	})
	return text
}

// scrubVINs replaces every run of exactly 17 letters and digits that has
// both, as a VIN has (the run is taken whole: a longer code is not a VIN).
func scrubVINs(text string) string {
	var b strings.Builder
	start := -1
	flush := func(end int) {
		run := text[start:end]
		if len(run) == 17 && strings.ContainsAny(run, "0123456789") && strings.IndexFunc(run, isASCIILetter) >= 0 {
			b.WriteString(Scrubbed)
		} else {
			b.WriteString(run)
		}
		start = -1
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		alnum := c < utf8.RuneSelf && (isASCIILetter(rune(c)) || (c >= '0' && c <= '9'))
		switch {
		case alnum && start < 0:
			start = i
		case !alnum && start >= 0:
			flush(i)
			b.WriteByte(c)
		case !alnum:
			b.WriteByte(c)
		}
	}
	if start >= 0 {
		flush(len(text))
	}
	return b.String()
}

func isASCIILetter(r rune) bool { return (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') }
