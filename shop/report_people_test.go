package shop_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

func TestSameComplaint(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b string
		want bool
	}{
		{"OK", "Brakes squeal", "brakes squeal.", true},
		{"OKContained", "brakes squeal", "Front brakes squeal when cold", true},
		{"OKChinese", "刹车异响", "刹车异响，前轮", true},
		{"ErrDifferent", "brakes squeal", "engine light on", false},
		{"ErrEmpty", "", "", false},
		{"ErrOneLetter", "a", "a noise", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.SameComplaint(tc.a, tc.b); got != tc.want {
				t.Fatalf("same=%v, want %v", got, tc.want)
			}
		})
	}
}

func TestRepeatRepairs(t *testing.T) {
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 0, 0, 0, time.UTC) }
	from, to := at(12, 1).Add(-9*time.Hour), at(12, 31)
	for _, tc := range []struct {
		name   string
		visits []shop.VisitComplaint
		want   []shop.VisitID // the repeat visits found
	}{
		{"OK", []shop.VisitComplaint{{1, 7, at(11, 10), "brakes squeal"}, {2, 7, at(12, 2), "Brakes squeal again"}}, []shop.VisitID{2}},
		{"OKAgainstLatest", []shop.VisitComplaint{{1, 7, at(11, 20), "noise"}, {2, 7, at(12, 2), "noise"}, {3, 7, at(12, 9), "noise"}}, []shop.VisitID{2, 3}},
		{"ErrOver30Days", []shop.VisitComplaint{{1, 7, at(10, 30), "brakes squeal"}, {2, 7, at(12, 2), "brakes squeal"}}, nil},
		{"ErrOtherCar", []shop.VisitComplaint{{1, 8, at(11, 20), "brakes squeal"}, {2, 7, at(12, 2), "brakes squeal"}}, nil},
		{"ErrOtherComplaint", []shop.VisitComplaint{{1, 7, at(11, 20), "brakes squeal"}, {2, 7, at(12, 2), "oil change"}}, nil},
		{"ErrBothBeforePeriod", []shop.VisitComplaint{{1, 7, at(11, 10), "noise"}, {2, 7, at(11, 20), "noise"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := shop.RepeatRepairs(tc.visits, from, to)
			if len(got) != len(tc.want) {
				t.Fatalf("repeats=%v, want %v", got, tc.want)
			}
			for i, r := range got {
				if r.VisitID != tc.want[i] || r.FirstVisitID >= r.VisitID {
					t.Fatalf("repeat=%+v, want visit %v after an earlier one", r, tc.want[i])
				}
			}
		})
	}
}

func TestEfficiency(t *testing.T) {
	p := shop.PersonFigures{MinutesSold: 90, MinutesClocked: 60}
	if e := p.Efficiency(); e == nil || *e != 1.5 {
		t.Fatalf("efficiency=%v, want 1.5", e)
	}
	if e := (&shop.PersonFigures{MinutesSold: 90}).Efficiency(); e != nil {
		t.Fatalf("efficiency=%v, want nil without clocked time", *e)
	}
}

func TestReportCSV(t *testing.T) {
	t.Run("OKFormulaDefused", func(t *testing.T) {
		got := shop.RepeatRepairsCSV([]shop.RepeatRepair{{VehicleID: 1, FirstVisitID: 2, VisitID: 3, Complaint: `=HYPERLINK("x")`}})
		if !strings.Contains(got, `"'=HYPERLINK(""x"")"`) {
			t.Fatalf("csv=%q, want the formula quoted behind an apostrophe", got)
		}
	})
	t.Run("OKPeople", func(t *testing.T) {
		got := shop.PeopleCSV([]shop.PersonFigures{{UserID: 4, Name: "Li, Wei", Orders: 2, MinutesSold: 90, MinutesClocked: 60, Revenue: 12050}})
		want := "user_id,name,orders,jobs,minutes_sold,minutes_clocked,efficiency,revenue\n4,\"Li, Wei\",2,0,90,60,1.500,120.50\n"
		if got != want {
			t.Fatalf("csv=%q, want %q", got, want)
		}
	})
	t.Run("OKService", func(t *testing.T) {
		got := shop.ServiceReportCSV(&shop.Report{Received: map[shop.WorkType]int{shop.WorkRepair: 3}, CallbacksMissed: 2})
		if !strings.Contains(got, "received_REPAIR,3\n") || !strings.Contains(got, "callbacks_missed,2\n") || !strings.Contains(got, "on_time_rate,\n") {
			t.Fatalf("csv=%q, want the figures", got)
		}
	})
	t.Run("ErrReportName", func(t *testing.T) {
		if err := shop.ValidReportName("PAYROLL"); shop.ErrorField(err) != "report" {
			t.Fatalf("field=%v, want report", shop.ErrorField(err))
		}
	})
}
