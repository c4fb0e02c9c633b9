package graph_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

// TestRotaGraphQL: the foreman sets the rota and skills through GraphQL,
// the capacity follows the rota, a full appointment slot is a typed
// userError naming scheduledAt, the day-before reminder lands on the
// advisor's list, and a report comes out as CSV.
func TestRotaGraphQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	e.db.Now = func() time.Time { return now }
	siteID := gid(shop.TypeSite, int64(e.f.Site.ID))

	type payload struct {
		UserErrors []userError
	}
	var shift struct{ SetShift payload }
	const setShift = `mutation($in: SetShiftInput!) { setShift(input: $in) { shift { userId kind startsAt endsAt } userErrors { code field message } } }`
	e.must(t, e.f.Foreman, setShift, map[string]any{"in": map[string]any{"siteId": siteID, "userId": userID(e.f.Tech), "day": "2026-12-03",
		"startsAt": 480, "endsAt": 1020}}, &shift)
	if len(shift.SetShift.UserErrors) > 0 {
		t.Fatalf("userErrors=%+v", shift.SetShift.UserErrors)
	}
	t.Run("ErrPastDay", func(t *testing.T) {
		var bad struct{ SetShift payload }
		e.must(t, e.f.Foreman, setShift, map[string]any{"in": map[string]any{"siteId": siteID, "userId": userID(e.f.Lead), "day": "2026-12-02",
			"startsAt": 480, "endsAt": 1020}}, &bad)
		if ues := bad.SetShift.UserErrors; len(ues) != 1 || ues[0].Code != "INVALID" || strings.Join(ues[0].Field, ".") != "input.day" {
			t.Fatalf("userErrors=%+v, want INVALID on input.day", ues)
		}
	})
	var skills struct{ SetUserSkills struct{ Skills []string } }
	e.must(t, e.f.Foreman, `mutation($in: SetUserSkillsInput!) { setUserSkills(input: $in) { skills userErrors { code field message } } }`,
		map[string]any{"in": map[string]any{"userId": userID(e.f.Tech), "skills": []string{"ac"}}}, &skills)
	if len(skills.SetUserSkills.Skills) != 1 || skills.SetUserSkills.Skills[0] != "AC" {
		t.Fatalf("skills=%v, want [AC]", skills.SetUserSkills.Skills)
	}
	t.Run("OKCapacity", func(t *testing.T) {
		var site struct {
			Site struct {
				Capacity struct {
					Technicians, FreeLabourMinutes, ShiftMinutes int
					RotaKnown                                    bool
					BySkill                                      []struct {
						Skill       string
						FreeMinutes int
					}
				}
			}
		}
		e.must(t, e.f.Foreman, `query($id: ID!) { site(id: $id) { capacity { technicians freeLabourMinutes shiftMinutes rotaKnown bySkill { skill freeMinutes } } } }`,
			map[string]any{"id": siteID}, &site)
		c := site.Site.Capacity
		// Only the technician on the rota counts: 10:00 to 17:00.
		if !c.RotaKnown || c.Technicians != 1 || c.ShiftMinutes != 420 || c.FreeLabourMinutes != 420 || len(c.BySkill) != 1 || c.BySkill[0].FreeMinutes != 420 {
			t.Fatalf("capacity=%+v, want one technician with 420 minutes, all AC", c)
		}
	})

	var capPayload struct{ SetAppointmentCapacity payload }
	e.must(t, e.f.Manager, `mutation($in: SetAppointmentCapacityInput!) { setAppointmentCapacity(input: $in) { appointmentCapacity { perSlot } userErrors { code field message } } }`,
		map[string]any{"in": map[string]any{"siteId": siteID, "slotMinutes": 60, "perSlot": 1, "expectedMinutes": 60}}, &capPayload)
	if len(capPayload.SetAppointmentCapacity.UserErrors) > 0 {
		t.Fatalf("userErrors=%+v", capPayload.SetAppointmentCapacity.UserErrors)
	}
	book := func(plate string) []userError {
		return e.mutate(t, e.f.Advisor, "bookAppointment", map[string]any{"siteId": siteID, "scheduledAt": "2026-12-05T02:00:00Z",
			"requestedWork": "保养", "customer": map[string]any{"name": "黄先生", "phone": "13800138000"},
			"vehicle": map[string]any{"plate": plate, "make": "丰田", "model": "凯美瑞"}}, nil)
	}
	if ues := book("粤B11111"); len(ues) > 0 {
		t.Fatalf("userErrors=%+v", ues)
	}
	t.Run("ErrSlotFull", func(t *testing.T) {
		ues := book("粤B22222")
		if len(ues) != 1 || ues[0].Code != "INVALID" || strings.Join(ues[0].Field, ".") != "input.scheduledAt" || !strings.Contains(ues[0].Message, "full") {
			t.Fatalf("userErrors=%+v, want INVALID on input.scheduledAt: the slot is full", ues)
		}
	})
	t.Run("OKReminderOnAdvisorsList", func(t *testing.T) {
		var list struct {
			AppointmentRemindersDue []struct {
				AppointmentID string
				DueOn         string
				State         string
				Appointment   struct{ ID string }
			}
		}
		e.must(t, e.f.Advisor, `query($site: ID!, $adv: ID) { appointmentRemindersDue(siteId: $site, date: "2026-12-04", advisorId: $adv) {
			appointmentId dueOn state appointment { id } } }`, map[string]any{"site": siteID, "adv": userID(e.f.Advisor)}, &list)
		rs := list.AppointmentRemindersDue
		if len(rs) != 1 || rs[0].DueOn != "2026-12-04" || rs[0].State != "DUE" || rs[0].Appointment.ID != rs[0].AppointmentID {
			t.Fatalf("reminders=%+v, want one due 2026-12-04", rs)
		}
		var done struct {
			RecordAppointmentReminder struct {
				AppointmentReminder struct{ State string }
				UserErrors          []userError
			}
		}
		e.must(t, e.f.Advisor, `mutation($in: RecordAppointmentReminderInput!) { recordAppointmentReminder(input: $in) {
			appointmentReminder { state } userErrors { code field message } } }`,
			map[string]any{"in": map[string]any{"appointmentId": rs[0].AppointmentID, "outcome": "已确认"}}, &done)
		if done.RecordAppointmentReminder.AppointmentReminder.State != "DONE" {
			t.Fatalf("record=%+v, want DONE", done.RecordAppointmentReminder)
		}
	})
	t.Run("OKReportCSV", func(t *testing.T) {
		var out struct{ ReportCsv string }
		e.must(t, e.f.Manager, `query($site: ID!) { reportCsv(siteId: $site, report: TECHNICIANS, period: MONTH) }`, map[string]any{"site": siteID}, &out)
		if !strings.HasPrefix(out.ReportCsv, "user_id,name,orders,jobs,minutes_sold,minutes_clocked,efficiency,revenue\n") {
			t.Fatalf("csv=%q, want the header", out.ReportCsv)
		}
		errs := e.do(t, e.f.Advisor, `query($site: ID!) { reportCsv(siteId: $site, report: SERVICE, period: DAY) }`, map[string]any{"site": siteID}, nil)
		if len(errs) != 1 || errs[0].code() != "FORBIDDEN" {
			t.Fatalf("errors=%+v, want FORBIDDEN for an advisor", errs)
		}
	})
}
