package shop_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"bayboard/shop"
)

// maskedRoles are the roles without ActReadPersonal (authz.go).
var maskedRoles = []shop.Role{shop.RoleBoard, shop.RoleTechnician, shop.RoleForeman, shop.RoleQCInspector, shop.RolePartsClerk}

// personalRoles may read personal data, and free text as typed.
var personalRoles = []shop.Role{shop.RoleAdvisor, shop.RoleWarrantyClerk, shop.RoleCashier, shop.RoleCallbackStaff,
	shop.RoleServiceManager, shop.RoleAdmin}

const issueNote = "等客户司马萱涵电话确认 13910726241"

func TestMayReadPersonal(t *testing.T) {
	t.Parallel()
	for _, r := range personalRoles {
		t.Run("OK"+string(r), func(t *testing.T) {
			if got := shop.MayReadPersonal(&shop.Actor{Role: r}); !got {
				t.Fatalf("mayReadPersonal=%v, want true", got)
			}
		})
	}
	for _, r := range maskedRoles {
		t.Run("Masked"+string(r), func(t *testing.T) {
			if got := shop.MayReadPersonal(&shop.Actor{Role: r}); got {
				t.Fatalf("mayReadPersonal=%v, want false", got)
			}
		})
	}
	t.Run("MaskedNoActor", func(t *testing.T) {
		if got := shop.MayReadPersonal(nil); got {
			t.Fatalf("mayReadPersonal=%v, want false", got)
		}
	})
}

func TestRedactFreeText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		role  shop.Role
		text  string
		names []string
		want  string
	}{
		{"OK/advisor reads as typed", shop.RoleAdvisor, issueNote, []string{"司马萱涵"}, issueNote},
		{"OK/manager reads as typed", shop.RoleServiceManager, issueNote, nil, issueNote},
		{"OK/board reads it scrubbed", shop.RoleBoard, issueNote, []string{"司马萱涵"}, "等客户***电话确认 ***"},
		{"OK/technician reads it scrubbed", shop.RoleTechnician, issueNote, []string{"司马萱涵"}, "等客户***电话确认 ***"},
		{"OK/foreman, contact's name", shop.RoleForeman, "李四同意更换 粤B12345", []string{"张三", "李四"}, "***同意更换 ***"},
		{"OK/QC, VIN and e-mail", shop.RoleQCInspector, "VIN LSVAM4187C2184847 发到 a.b@example.com", nil, "VIN *** 发到 ***"},
		{"OK/parts clerk, work text stays", shop.RolePartsClerk, "更换机油滤清器 ×2，里程 50000 km", []string{"司马萱涵"},
			"更换机油滤清器 ×2，里程 50000 km"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := shop.RedactFreeText(&shop.Actor{Role: tt.role}, tt.text, tt.names...); got != tt.want {
				t.Fatalf("text=%q, want %q", got, tt.want)
			}
		})
	}
	t.Run("OK/no actor reads it scrubbed", func(t *testing.T) {
		if got := shop.RedactFreeText(nil, issueNote, "司马萱涵"); got != "等客户***电话确认 ***" {
			t.Fatalf("text=%q, want it scrubbed", got)
		}
	})
}

// allKinds lists every event kind (event.go); the package exports no list.
var allKinds = []shop.EventKind{
	shop.EventAppointmentBooked, shop.EventAppointmentCancelled, shop.EventVehicleReceived, shop.EventOrderCreated,
	shop.EventOrderEdited, shop.EventOrderSigned, shop.EventOrderHandedOver, shop.EventOrderCancelled,
	shop.EventJobDispatched, shop.EventJobStarted, shop.EventJobPaused, shop.EventJobResumed, shop.EventJobProgress,
	shop.EventJobFinished, shop.EventJobCancelled, shop.EventAdditionalRequested, shop.EventAdditionalApproved,
	shop.EventAdditionalDeclined, shop.EventSelfCheckRecorded, shop.EventTeamLeadCheckRecorded,
	shop.EventOrderSubmittedQC, shop.EventQCPassed, shop.EventQCFailed, shop.EventWashFinished, shop.EventOrderReady,
	shop.EventOrderSettled, shop.EventOrderDelivered, shop.EventOrderLate, shop.EventPartsReserved,
	shop.EventPartShortage, shop.EventPartsArrived, shop.EventPartsReleased, shop.EventPartsIssued,
	shop.EventPartsReturned, shop.EventStockReceived, shop.EventWarrantyDecided, shop.EventClaimChanged,
	shop.EventPartRetained, shop.EventRetainedPartDisposed, shop.EventCallbacksScheduled, shop.EventCallbackDue,
	shop.EventCallbackRecorded, shop.EventComplaintOpened, shop.EventComplaintEscalated, shop.EventComplaintClosed,
	shop.EventComplaintChecked, shop.EventServicePlanned, shop.EventReminderRecorded,
}

func TestEvent_SummaryFor(t *testing.T) {
	t.Parallel()
	o := &shop.Order{ID: 1, SiteID: 1, VisitID: 1, AdvisorID: 1, Number: "RO1", State: shop.OrderInWork, Version: 1}
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	job := shop.Job{ID: 7, OrderID: 1, State: shop.JobInProgress, Description: "更换刹车片 粤B12345", Version: 1}
	// As shop.PauseJob records it (job_cmd.go).
	pauseEv := shop.OrderEvent(o, shop.EventJobPaused, &job.ID, "Paused: OTHER "+issueNote)
	draft := *o
	draft.State = shop.OrderDraft
	_, cancelEv, err := shop.CancelOrder(draft, "司马萱涵改约 13910726241", now)
	if err != nil {
		t.Fatalf("cancel: %v", err)
	}
	progress := shop.OrderEvent(o, shop.EventJobProgress, &job.ID, "Progress 40%")
	for _, tt := range []struct {
		name string
		ev   shop.Event
		role shop.Role
		want string
	}{
		{"OK/advisor reads the pause note", pauseEv, shop.RoleAdvisor, pauseEv.Summary},
		{"OK/board reads a fixed sentence", pauseEv, shop.RoleBoard, "Work paused."},
		{"OK/technician reads no cancel reason", cancelEv, shop.RoleTechnician, "Repair order cancelled."},
		{"OK/progress is structured", progress, shop.RoleBoard, "Progress 40%"},
		{"OK/an unknown kind says nothing typed", shop.Event{Kind: "SOMETHING_NEW", Summary: issueNote}, shop.RoleForeman,
			"The record changed."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ev.SummaryFor(&shop.Actor{Role: tt.role}); got != tt.want {
				t.Fatalf("summary=%q, want %q", got, tt.want)
			}
		})
	}
	if !strings.Contains(pauseEv.Summary, "13910726241") || !strings.Contains(cancelEv.Summary, "司马萱涵") {
		t.Fatalf("summaries=%q %q, want the typed text recorded", pauseEv.Summary, cancelEv.Summary)
	}
	// Every kind: a masked role reads the recorded summary only for the
	// kinds shop composes from numbers, states, dates, part numbers and bay
	// codes; for every other kind a fixed sentence of its own.
	kept := map[shop.EventKind]bool{
		shop.EventAppointmentBooked: true, shop.EventOrderCreated: true, shop.EventOrderSigned: true,
		shop.EventOrderHandedOver: true, shop.EventJobDispatched: true, shop.EventJobStarted: true,
		shop.EventJobResumed: true, shop.EventJobProgress: true, shop.EventJobFinished: true,
		shop.EventOrderSubmittedQC: true, shop.EventQCPassed: true, shop.EventWashFinished: true,
		shop.EventOrderReady: true, shop.EventOrderLate: true, shop.EventPartsReserved: true,
		shop.EventPartShortage: true, shop.EventPartsArrived: true, shop.EventPartsIssued: true,
		shop.EventPartsReturned: true, shop.EventCallbackDue: true, shop.EventCallbacksScheduled: true,
		shop.EventServicePlanned: true, shop.EventReminderRecorded: true, shop.EventComplaintEscalated: true,
		shop.EventComplaintChecked: true, shop.EventComplaintClosed: true,
	}
	for _, k := range allKinds {
		t.Run("OK/"+string(k), func(t *testing.T) {
			ev := shop.Event{Kind: k, Summary: "typed " + issueNote}
			got := ev.SummaryFor(&shop.Actor{Role: shop.RoleBoard})
			if kept[k] != (got == ev.Summary) {
				t.Fatalf("summary=%q, want the recorded one: %v", got, kept[k])
			}
			ev.Summary = ""
			if s := ev.MaskedSummary(); s == "" || s == "The record changed." {
				t.Fatalf("summary=%q, want a sentence of its own", s)
			}
		})
	}
}

func TestMayReadFollowUps(t *testing.T) {
	t.Parallel()
	for _, r := range shop.Roles {
		want := ""
		switch r {
		case shop.RoleBoard:
			want = shop.EFORBIDDEN
		}
		t.Run(string(r), func(t *testing.T) {
			err := shop.MayReadFollowUps(&shop.Actor{Role: r, UserID: 1})
			if got := shop.ErrorCode(err); got != want {
				t.Fatalf("code=%q, want %q", got, want)
			}
		})
	}
	t.Run("ErrUnauthenticated", func(t *testing.T) {
		if got := shop.ErrorCode(shop.MayReadFollowUps(nil)); got != shop.EUNAUTHENTICATED {
			t.Fatalf("code=%q, want %q", got, shop.EUNAUTHENTICATED)
		}
	})
}

func TestNewCard_ScrubsDescriptions(t *testing.T) {
	t.Parallel()
	none := func(shop.UserID) string { return "" }
	bays := func(shop.BayID) string { return "" }
	o := &shop.Order{State: shop.OrderInWork, SignedBy: "欧阳娜娜"}
	jobs := []*shop.Job{
		{ID: 1, State: shop.JobInProgress, Description: "更换刹车片（京A7Q321，联系 13910726241 司马萱涵）"},
		{ID: 2, State: shop.JobInProgress, Description: "欧阳娜娜要求保留旧件"},
		{ID: 3, State: shop.JobInProgress, Description: "更换机油 5W-30 4L"},
	}
	c, ok := shop.NewCard(o, jobs, &shop.Vehicle{Plate: "京A7Q321"}, none, bays, time.Time{}, "司马萱涵")
	if !ok {
		t.Fatalf("on board=%v, want true", ok)
	}
	want := []string{"更换刹车片（***，联系 *** ***）", "***要求保留旧件", "更换机油 5W-30 4L"}
	for i, j := range c.Jobs {
		if j.Description != want[i] {
			t.Fatalf("description=%q, want %q", j.Description, want[i])
		}
	}
}

// FuzzRedactFreeText: whatever staff typed, a masked role never reads the
// customer's name back, and a role that sees personal data reads the text as
// typed.
func FuzzRedactFreeText(f *testing.F) {
	f.Add(issueNote, "司马萱涵")
	f.Add("张张伟伟说张伟", "张伟")
	f.Add("王先生 13800138000 粤B12345", "王小明")
	f.Fuzz(func(t *testing.T, text, name string) {
		if got := shop.RedactFreeText(&shop.Actor{Role: shop.RoleAdvisor}, text, name); got != text {
			t.Fatalf("advisor reads %q, want %q", got, text)
		}
		got := shop.RedactFreeText(&shop.Actor{Role: shop.RoleBoard}, text, name)
		n := strings.TrimSpace(name)
		if utf8.RuneCountInString(n) >= 2 && utf8.ValidString(n) && !strings.Contains(n, "*") && strings.Contains(got, n) {
			t.Fatalf("board reads %q from %q, want no %q", got, text, n)
		}
	})
}
