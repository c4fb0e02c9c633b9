package shop

import (
	"fmt"
	"time"
)

// Opening hours: the site's OpensAt/ClosesAt is the default day; a weekday
// may have its own hours or be closed, and a local date may be closed
// (a holiday). Capacity and appointment slots ask HoursOn.

// DayHours are the hours of one weekday, minutes after local midnight.
type DayHours struct {
	Weekday  time.Weekday
	Closed   bool
	OpensAt  int
	ClosesAt int
}

// ClosedDay is a local date the site is closed, with why (春节, 国庆).
type ClosedDay struct {
	Day    time.Time // local midnight of the date, in UTC fields (as a DATE scans)
	Reason string
}

// HoursOn returns the site's hours on the local date of day (in the site's
// time zone): closed on a closed date, else the weekday's own hours when
// set, else the default OpensAt/ClosesAt. opens and closes are minutes
// after local midnight; open is false on a closed day (opens and closes are
// then 0). No error: hours were checked when they were set.
func (s Site) HoursOn(day time.Time) (opens, closes int, open bool) {
	local := day.In(s.Location())
	y, m, d := local.Date()
	for _, c := range s.ClosedDays {
		cy, cm, cd := c.Day.Date()
		if cy == y && cm == m && cd == d {
			return 0, 0, false
		}
	}
	for _, h := range s.Hours {
		if h.Weekday == local.Weekday() {
			if h.Closed {
				return 0, 0, false
			}
			return h.OpensAt, h.ClosesAt, true
		}
	}
	return s.OpensAt, s.ClosesAt, true
}

// CheckHours checks the hours of a day: opening before closing, both
// within the day. field names the input (e.g. "hours[2]"). Errors: INVALID
// naming field.opensAt or field.closesAt.
func CheckHours(field string, opens, closes int) error {
	if opens < 0 || opens > 24*60 {
		return FieldErrorf(fieldPath(field, "opensAt"), "Opening time %s is not within the day.", clock(opens))
	}
	if closes < 0 || closes > 24*60 {
		return FieldErrorf(fieldPath(field, "closesAt"), "Closing time %s is not within the day.", clock(closes))
	}
	if opens >= closes {
		return FieldErrorf(fieldPath(field, "closesAt"), "The site must close (%s) after it opens (%s).", clock(closes), clock(opens))
	}
	return nil
}

// SetWeekHours decides a site's weekly hours: at most one entry a weekday,
// each closed or with valid hours. The result replaces the old week.
// Errors: INVALID naming "hours[i]…".
func SetWeekHours(s Site, week []DayHours) (Site, Event, error) {
	seen := map[time.Weekday]bool{}
	out := make([]DayHours, 0, len(week))
	for i, h := range week {
		field := fmt.Sprintf("hours[%d]", i)
		if h.Weekday < time.Sunday || h.Weekday > time.Saturday {
			return s, Event{}, FieldErrorf(field+".weekday", "%d is not a weekday.", h.Weekday)
		}
		if seen[h.Weekday] {
			return s, Event{}, FieldErrorf(field+".weekday", "%s is given twice.", h.Weekday)
		}
		seen[h.Weekday] = true
		if h.Closed {
			h.OpensAt, h.ClosesAt = 0, 0
		} else if err := CheckHours(field, h.OpensAt, h.ClosesAt); err != nil {
			return s, Event{}, err
		}
		out = append(out, h)
	}
	before := describeWeek(s.Hours)
	s.Hours = out
	s.Version++
	return s, siteEvent(s.ID, EventSiteChanged, fmt.Sprintf("Weekly hours of %s: %s → %s", s.Code, before, describeWeek(out))), nil
}

// SetClosedDay decides closing (closed true) or reopening a local date.
// Errors: INVALID naming "reason" (too long), "day" (reopening a day that
// was not closed).
func SetClosedDay(s Site, day time.Time, closed bool, reason string) (Site, Event, error) {
	reason, err := CheckText("reason", reason, false, MaxShortText)
	if err != nil {
		return s, Event{}, err
	}
	y, m, d := day.Date()
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	kept := make([]ClosedDay, 0, len(s.ClosedDays)+1)
	found := false
	for _, c := range s.ClosedDays {
		if c.Day.Equal(date) {
			found = true
			continue
		}
		kept = append(kept, c)
	}
	if !closed && !found {
		return s, Event{}, FieldErrorf("day", "%s is not a closed day of %s.", date.Format(time.DateOnly), s.Code)
	}
	summary := fmt.Sprintf("%s open again on %s", s.Code, date.Format(time.DateOnly))
	if closed {
		kept = append(kept, ClosedDay{Day: date, Reason: reason})
		summary = fmt.Sprintf("%s closed on %s", s.Code, date.Format(time.DateOnly))
	}
	s.ClosedDays = kept
	s.Version++
	return s, siteEvent(s.ID, EventSiteChanged, summary), nil
}

func describeWeek(week []DayHours) string {
	if len(week) == 0 {
		return "default every day"
	}
	out := ""
	for i, h := range week {
		if i > 0 {
			out += ", "
		}
		out += h.Weekday.String()[:3] + " "
		if h.Closed {
			out += "closed"
		} else {
			out += clock(h.OpensAt) + "-" + clock(h.ClosesAt)
		}
	}
	return out
}

// clock formats minutes after midnight as HH:MM.
func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// Weekday names a day of the week on the API.
type Weekday string

// The weekdays.
const (
	Sunday    Weekday = "SUNDAY"
	Monday    Weekday = "MONDAY"
	Tuesday   Weekday = "TUESDAY"
	Wednesday Weekday = "WEDNESDAY"
	Thursday  Weekday = "THURSDAY"
	Friday    Weekday = "FRIDAY"
	Saturday  Weekday = "SATURDAY"
)

var weekdays = [7]Weekday{Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday}

// Weekday returns w as a time.Weekday; -1 for a name that is no weekday
// (SetWeekHours refuses it, INVALID).
func (w Weekday) Weekday() time.Weekday {
	for i, d := range weekdays {
		if d == w {
			return time.Weekday(i)
		}
	}
	return -1
}

// Day returns the weekday of h as the API names it.
func (h DayHours) Day() Weekday {
	if h.Weekday < 0 || h.Weekday > 6 {
		return ""
	}
	return weekdays[h.Weekday]
}
