package shop_test

import (
	"slices"
	"testing"
	"time"

	"bayboard/shop"
)

func ip(n int) *int { return &n }

func TestPlanShift(t *testing.T) {
	today := date(2026, 12, 3)
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		in        shop.ShiftInput
		wantCode  string
		wantField string
		wantKind  shop.ShiftKind
	}{
		{"OK", shop.ShiftInput{Day: today, StartsAt: ip(480), EndsAt: ip(1020)}, "", "", shop.ShiftWork},
		{"OKLeave", shop.ShiftInput{Day: today.AddDate(0, 0, 3), Leave: true, Note: "annual leave"}, "", "", shop.ShiftLeave},
		{"OKWholeDay", shop.ShiftInput{Day: today, StartsAt: ip(0), EndsAt: ip(16 * 60)}, "", "", shop.ShiftWork},
		{"ErrPastDay", shop.ShiftInput{Day: today.AddDate(0, 0, -1), StartsAt: ip(480), EndsAt: ip(1020)}, shop.EINVALID, "day", ""},
		{"ErrTooFarAhead", shop.ShiftInput{Day: today.AddDate(2, 0, 0), StartsAt: ip(480), EndsAt: ip(1020)}, shop.EINVALID, "day", ""},
		{"ErrNoStart", shop.ShiftInput{Day: today, EndsAt: ip(1020)}, shop.EINVALID, "startsAt", ""},
		{"ErrNoEnd", shop.ShiftInput{Day: today, StartsAt: ip(480)}, shop.EINVALID, "endsAt", ""},
		{"ErrStartOutOfDay", shop.ShiftInput{Day: today, StartsAt: ip(-5), EndsAt: ip(600)}, shop.EINVALID, "startsAt", ""},
		{"ErrEndOutOfDay", shop.ShiftInput{Day: today, StartsAt: ip(600), EndsAt: ip(1441)}, shop.EINVALID, "endsAt", ""},
		{"ErrEndBeforeStart", shop.ShiftInput{Day: today, StartsAt: ip(600), EndsAt: ip(540)}, shop.EINVALID, "endsAt", ""},
		{"ErrTooShort", shop.ShiftInput{Day: today, StartsAt: ip(600), EndsAt: ip(620)}, shop.EINVALID, "endsAt", ""},
		{"ErrTooLong", shop.ShiftInput{Day: today, StartsAt: ip(0), EndsAt: ip(1000)}, shop.EINVALID, "endsAt", ""},
		{"ErrLeaveWithTimes", shop.ShiftInput{Day: today, Leave: true, StartsAt: ip(480)}, shop.EINVALID, "startsAt", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ev, err := shop.PlanShift(tc.in, today, 7, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v (%v)", got, tc.wantCode, err)
			}
			if got := shop.ErrorField(err); got != tc.wantField {
				t.Fatalf("field=%v, want %v", got, tc.wantField)
			}
			if err != nil {
				return
			}
			if s.Kind != tc.wantKind || s.SetBy != 7 || !s.SetAt.Equal(now) || ev.Kind != shop.EventRotaChanged {
				t.Fatalf("shift=%+v event=%v, want %v by 7 with ROTA_CHANGED", s, ev.Kind, tc.wantKind)
			}
			if (s.Kind == shop.ShiftLeave) != (s.StartsAt == nil && s.EndsAt == nil) {
				t.Fatalf("times=%v/%v, want times only on a shift", s.StartsAt, s.EndsAt)
			}
		})
	}
}

func TestSetSkills(t *testing.T) {
	tech := shop.User{ID: 3, Role: shop.RoleTechnician, Active: true}
	many := make([]string, shop.MaxSkills+1)
	for i := range many {
		many[i] = "S" + string(rune('A'+i))
	}
	for _, tc := range []struct {
		name     string
		u        shop.User
		in       []string
		want     []string
		wantCode string
	}{
		{"OK", tech, []string{" electrical", "AC", "ELECTRICAL"}, []string{"AC", "ELECTRICAL"}, ""},
		{"OKClear", tech, nil, []string{}, ""},
		{"ErrNotTechnician", shop.User{ID: 4, Role: shop.RoleAdvisor, Active: true}, []string{"AC"}, nil, shop.EINVALID},
		{"ErrInactive", shop.User{ID: 3, Role: shop.RoleTechnician}, []string{"AC"}, nil, shop.EINVALID},
		{"ErrBadCode", tech, []string{"air con"}, nil, shop.EINVALID},
		{"ErrEmptyCode", tech, []string{" "}, nil, shop.EINVALID},
		{"ErrTooMany", tech, many, nil, shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ev, err := shop.SetSkills(tc.u, tc.in)
			if code := shop.ErrorCode(err); code != tc.wantCode {
				t.Fatalf("code=%v, want %v (%v)", code, tc.wantCode, err)
			}
			if err == nil && (!slices.Equal(got, tc.want) || ev.Kind != shop.EventSkillsSet) {
				t.Fatalf("skills=%v event=%v, want %v SKILLS_SET", got, ev.Kind, tc.want)
			}
		})
	}
}

func TestSetJobSkill(t *testing.T) {
	o := &shop.Order{ID: 1, SiteID: 1, VisitID: 2, AdvisorID: 3}
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		name     string
		state    shop.JobState
		skill    *string
		want     *string
		wantCode string
	}{
		{"OK", shop.JobWaitingDispatch, s("ac"), s("AC"), ""},
		{"OKClear", shop.JobInProgress, s(" "), nil, ""},
		{"OKNil", shop.JobDispatched, nil, nil, ""},
		{"ErrFinished", shop.JobFinished, s("AC"), nil, shop.EINVALIDTRANSITION},
		{"ErrBadCode", shop.JobWaitingDispatch, s("A/C"), nil, shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ev, err := shop.SetJobSkill(shop.Job{ID: 9, State: tc.state}, o, tc.skill)
			if code := shop.ErrorCode(err); code != tc.wantCode {
				t.Fatalf("code=%v, want %v (%v)", code, tc.wantCode, err)
			}
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Fatalf("skill=%v, want %v", got, tc.want)
			}
			if err == nil && (ev.Kind != shop.EventJobSkillSet || ev.JobID == nil || *ev.JobID != 9) {
				t.Fatalf("event=%+v, want JOB_SKILL_SET on job 9", ev)
			}
		})
	}
}
