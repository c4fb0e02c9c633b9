package demo

import (
	"fmt"
	"time"

	"bayboard/shop"
	"bayboard/store"
)

// The demo day's rota (排班) and the technicians' skills (技能), so that
// /dispatch shows shifts, a technician on leave, skills and capacity by
// skill. A job needing a skill is planned with visit.needs.

// shiftPlan is one technician's entry on the day shown: minutes after local
// midnight, or leave when from is 0.
var shiftPlan = []struct {
	site, name string
	from, to   int
	note       string
	skills     []string
}{
	{"SZ01", "张伟", 8 * 60, 17*60 + 30, "", []string{"ENGINE"}},
	{"SZ01", "赵磊", 8 * 60, 17*60 + 30, "", []string{"ELECTRICAL", "ENGINE", "TRANSMISSION"}},
	{"SZ01", "吴俊", 8 * 60, 17*60 + 30, "", []string{"ALIGNMENT", "ELECTRICAL"}},
	{"SZ01", "何建华", 8 * 60, 17*60 + 30, "", []string{"AC", "TRANSMISSION"}},
	{"SZ01", "周海涛", 8 * 60, 17*60 + 30, "", []string{"BODY", "ENGINE"}},
	{"SZ01", "郑浩", 8 * 60, 12 * 60, "下午调休", []string{"ENGINE", "EV"}},
	{"SZ01", "马超", 8 * 60, 17*60 + 30, "", []string{"ENGINE"}},
	{"SZ01", "罗志刚", 9 * 60, 18 * 60, "", []string{"BODY", "PAINT"}},
	{"SZ01", "邱明", 0, 0, "事假", []string{"AC", "ELECTRICAL"}},
	{"GZ01", "陆海", 8*60 + 30, 17*60 + 30, "", []string{"AC", "ENGINE"}},
	{"GZ01", "冯军", 8*60 + 30, 17*60 + 30, "", []string{"ENGINE"}},
}

// setupRota sets today's rota and the skills, as each site's foreman, on
// the real clock (the rota of a past day cannot be set).
func (s *seeder) setupRota() error {
	r := s.real.In(s.loc)
	day := time.Date(r.Year(), r.Month(), r.Day(), 0, 0, 0, 0, time.UTC)
	for _, p := range shiftPlan {
		site, u := s.sites[p.site], s.user(p.name)
		in := store.SetShiftInput{SiteID: site.ID, UserID: u.ID, Day: day, Note: &p.note}
		if p.from == 0 {
			leave := true
			in.Leave = &leave
		} else {
			in.StartsAt, in.EndsAt = &p.from, &p.to
		}
		foreman := s.as(s.staff(site, shop.RoleForeman))
		if _, err := s.db.SetShift(foreman, in); err != nil {
			return fmt.Errorf("rota of %s: %w", p.name, err)
		}
		if _, err := s.db.SetUserSkills(foreman, store.SetUserSkillsInput{UserID: u.ID, Skills: p.skills}); err != nil {
			return fmt.Errorf("skills of %s: %w", p.name, err)
		}
	}
	return nil
}

// needs plans the foreman naming the skill job i needs.
func (v *visit) needs(m, i int, skill string) *visit {
	v.step(v.clk(m), "job needs "+skill, func() error {
		_, err := v.s.db.SetJobSkill(v.s.as(v.s.staff(v.site, shop.RoleForeman)), store.SetJobSkillInput{JobID: v.jobs[i], Skill: &skill})
		return err
	})
	return v
}
