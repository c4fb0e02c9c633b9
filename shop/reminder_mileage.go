package shop

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Reminders fire by date or by mileage, whichever comes first. The mileage
// is estimated from the car's own odometer readings (each visit records one;
// the vehicle record holds the latest): its kilometres per day.

// OdometerReading is a car's odometer on a local day.
type OdometerReading struct {
	Day time.Time
	Km  int
}

// MileageNoticeDays is the notice a plan due by mileage gets: a car that
// reached (or will soon reach) its service mileage is reminded over this
// many days from when the plan was made, not "in the past".
const MileageNoticeDays = 7

// KmPerDay returns the car's average kilometres per day over its readings:
// from the first to the last, at least a day apart and the odometer
// forward. ok is false without two such readings (no rate to go by).
func KmPerDay(rs []OdometerReading) (rate float64, ok bool) {
	rs = sortedReadings(rs)
	if len(rs) < 2 {
		return 0, false
	}
	first, last := rs[0], rs[len(rs)-1]
	days := DaysBetween(first.Day, last.Day)
	if days < 1 || last.Km <= first.Km {
		return 0, false
	}
	return float64(last.Km-first.Km) / float64(days), true
}

// EstimateMileage returns the car's estimated odometer on local day day:
// the latest reading, plus its rate over the days since (none without a rate).
func EstimateMileage(rs []OdometerReading, day time.Time) (int, bool) {
	rs = sortedReadings(rs)
	if len(rs) == 0 {
		return 0, false
	}
	last := rs[len(rs)-1]
	rate, ok := KmPerDay(rs)
	if !ok || !day.After(last.Day) {
		return last.Km, true
	}
	return last.Km + int(rate*float64(DaysBetween(last.Day, day))), true
}

// MileageDueOn returns the local day the car reaches dueKm: the day of the
// first reading at or past it, else the latest reading's day plus the days
// its rate needs to cover the rest. ok is false when it cannot be told (no
// reading at or past it and no rate).
func MileageDueOn(rs []OdometerReading, dueKm int) (time.Time, bool) {
	rs = sortedReadings(rs)
	for _, r := range rs {
		if r.Km >= dueKm {
			return r.Day, true
		}
	}
	rate, ok := KmPerDay(rs)
	if !ok {
		return time.Time{}, false
	}
	last := rs[len(rs)-1]
	days := math.Ceil(float64(dueKm-last.Km) / rate)
	if days > 3660 { // ten years away: not a reminder's business
		return time.Time{}, false
	}
	return last.Day.AddDate(0, 0, int(days)), true
}

// EffectiveDue returns the local day plan p is due: its date, or earlier
// when the car is estimated to reach its service mileage first. A plan due
// by mileage is never due before the plan was made plus MileageNoticeDays
// (created is the local day it was made), so a car long past its mileage
// still gets its reminders, in order, from now on. byMileage says the
// mileage decided.
func EffectiveDue(p *ServicePlan, created time.Time, rs []OdometerReading) (due time.Time, byMileage bool) {
	if p.DueMileage == nil {
		return p.DueOn, false
	}
	day, ok := MileageDueOn(rs, *p.DueMileage)
	if !ok {
		return p.DueOn, false
	}
	if floor := created.AddDate(0, 0, MileageNoticeDays); day.Before(floor) {
		day = floor
	}
	if !day.Before(p.DueOn) {
		return p.DueOn, false
	}
	return day, true
}

// ShiftReminders returns plan p's reminder tasks moved to its effective day
// due: each step as many days before due as it was before p.DueOn.
func ShiftReminders(rs []*Reminder, p *ServicePlan, due time.Time) []*Reminder {
	shift := DaysBetween(due, p.DueOn)
	out := make([]*Reminder, len(rs))
	for i, r := range rs {
		c := *r
		c.DueOn = r.DueOn.AddDate(0, 0, -shift)
		out[i] = &c
	}
	return out
}

// MileageSummary says why a plan is due early, for the reminder's reader.
func MileageSummary(p *ServicePlan, rs []OdometerReading, today time.Time) string {
	km, ok := EstimateMileage(rs, today)
	if !ok || p.DueMileage == nil {
		return ""
	}
	return fmt.Sprintf("Estimated %d km today; service due at %d km", km, *p.DueMileage)
}

func sortedReadings(rs []OdometerReading) []OdometerReading {
	if slices.IsSortedFunc(rs, cmpReading) {
		return rs
	}
	c := slices.Clone(rs)
	slices.SortFunc(c, cmpReading)
	return c
}

func cmpReading(a, b OdometerReading) int {
	if c := a.Day.Compare(b.Day); c != 0 {
		return c
	}
	return a.Km - b.Km
}
