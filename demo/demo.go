// Package demo seeds a realistic workshop day for `make run`: a main store
// (SZ01) with its staff, bays and parts, some 25 cars spread over every lane
// of the board, customers with two years of history, today's appointments,
// and a small second store (GZ01) to show that data stays with its site.
//
// Every record is made through the store's API as the proper actor (advisor,
// foreman, technician, team lead, QC inspector, cashier), with the store's
// clock walked forward through the simulated day, so states, timestamps and
// the event log are exactly what real use would have left. Nothing is
// inserted behind the store's back.
//
// It may import store and shop.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"bayboard/shop"
	"bayboard/store"
)

// Token is a demo user's bearer token, printed at start.
type Token struct {
	Role  string
	Name  string
	Token string
}

// SiteCode is the code of the demo's main site; its presence means the
// database was already seeded.
const SiteCode = "SZ01"

// member is one demo user and their readable bearer token.
type member struct {
	site  string // site code
	name  string
	short string
	role  shop.Role
	lead  bool
	team  string
	token string
}

// members are the demo's users, in the order their tokens are printed:
// advisors first (server.go gives GraphiQL the first advisor's token).
var members = []member{
	{"SZ01", "王芳", "王芳", shop.RoleAdvisor, false, "", "demo-advisor-wang"},
	{"SZ01", "黄志明", "黄志明", shop.RoleAdvisor, false, "", "demo-advisor-huang"},
	{"SZ01", "林晓燕", "林晓燕", shop.RoleAdvisor, false, "", "demo-advisor-lin"},
	{"SZ01", "李强", "李主管", shop.RoleForeman, false, "", "demo-foreman-liqiang"},
	{"SZ01", "张伟", "张工", shop.RoleTechnician, false, "机修A组", "demo-technician-zhang"},
	{"SZ01", "赵磊", "赵工", shop.RoleTechnician, true, "机修A组", "demo-teamlead-zhao"},
	{"SZ01", "吴俊", "吴工", shop.RoleTechnician, false, "机修A组", "demo-technician-wu"},
	{"SZ01", "何建华", "何工", shop.RoleTechnician, false, "机修A组", "demo-technician-he"},
	{"SZ01", "周海涛", "周工", shop.RoleTechnician, true, "机修B组", "demo-teamlead-zhou"},
	{"SZ01", "郑浩", "郑工", shop.RoleTechnician, false, "机修B组", "demo-technician-zheng"},
	{"SZ01", "马超", "马工", shop.RoleTechnician, false, "机修B组", "demo-technician-ma"},
	{"SZ01", "罗志刚", "罗工", shop.RoleTechnician, false, "机修B组", "demo-technician-luo"},
	{"SZ01", "邱明", "邱工", shop.RoleTechnician, false, "机修B组", "demo-technician-qiu"},
	{"SZ01", "陈静", "陈静", shop.RoleQCInspector, false, "", "demo-qc-chenjing"},
	{"SZ01", "许慧", "许慧", shop.RolePartsClerk, false, "", "demo-parts-xuhui"},
	{"SZ01", "高敏", "高敏", shop.RoleWarrantyClerk, false, "", "demo-warranty-gao"},
	{"SZ01", "刘洋", "刘洋", shop.RoleCashier, false, "", "demo-cashier-liu"},
	{"SZ01", "宋佳", "宋佳", shop.RoleCallbackStaff, false, "", "demo-callback-song"},
	{"SZ01", "孙丽", "孙经理", shop.RoleServiceManager, false, "", "demo-manager-sun"},
	{"SZ01", "车间看板", "看板", shop.RoleBoard, false, "", "demo-board-sz01-tv"},
	{"GZ01", "周敏", "周敏", shop.RoleAdvisor, false, "", "demo-gz01-advisor-zhou"},
	{"GZ01", "梁志伟", "梁主管", shop.RoleForeman, false, "", "demo-gz01-foreman-liang"},
	{"GZ01", "陆海", "陆工", shop.RoleTechnician, true, "机修组", "demo-gz01-teamlead-lu"},
	{"GZ01", "冯军", "冯工", shop.RoleTechnician, false, "机修组", "demo-gz01-technician-feng"},
	{"GZ01", "蔡丽", "蔡丽", shop.RoleQCInspector, false, "", "demo-gz01-qc-cai"},
	{"GZ01", "广州看板", "看板", shop.RoleBoard, false, "", "demo-gz01-board-tv"},
}

// Tokens returns the demo users' bearer tokens. They are fixed, so a server
// restarted on an already seeded database prints the same ones.
func Tokens() []Token {
	out := make([]Token, len(members))
	for i, m := range members {
		out[i] = Token{Role: string(m.role), Name: m.name, Token: m.token}
	}
	return out
}

// Seed fills a database without the demo site SZ01 with the demo workshop and
// returns the demo tokens. When SZ01 exists it changes nothing and returns
// the same tokens, so `make run` may start again and again on one database.
// The store's clock (db.Now) is moved through the simulated day while seeding
// and always restored before Seed returns. Errors: those of the store.
func Seed(ctx context.Context, db *store.DB, log *slog.Logger) ([]Token, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tokens := Tokens()
	_, err := db.FindSiteByCode(ctx, SiteCode)
	switch {
	case err == nil:
		if _, err := db.FindActorByToken(ctx, tokens[0].Token); err != nil {
			log.Warn("site "+SiteCode+" exists but the demo tokens do not work; the demo data may be incomplete (drop the database to seed again)",
				"error", err)
		} else {
			log.Info("demo data already present; nothing seeded", "site", SiteCode)
		}
		return tokens, nil
	case shop.ErrorCode(err) != shop.ENOTFOUND:
		return nil, fmt.Errorf("look for site %s: %w", SiteCode, err)
	}

	started := time.Now()
	orig := db.Now
	defer func() { db.Now = orig }()
	s := newSeeder(ctx, db, orig())
	if err := s.setup(); err != nil {
		if shop.ErrorCode(err) == shop.ECONFLICT && s.sites[SiteCode] == nil {
			// Another instance created the site a moment ago and is seeding it.
			log.Info("demo data being seeded by another instance", "site", SiteCode)
			return tokens, nil
		}
		return nil, err
	}
	s.plan()
	db.Now = func() time.Time { return s.clock }
	if err := s.run(); err != nil {
		return nil, err
	}
	db.Now = orig
	log.Info("demo data seeded", "sites", len(s.sites), "users", len(members), "cars", s.stats.vehicles,
		"customers", s.stats.customers, "visits", s.stats.visits, "orders", s.stats.orders,
		"appointments", s.stats.appointments, "steps", len(s.steps),
		"workshopDay", s.dayStart.Format("2006-01-02"), "took", time.Since(started).Round(time.Millisecond))
	return tokens, nil
}

// seeder holds one seeding run: the sites and staff made, the plan of timed
// steps, and the simulated clock the store reads while the steps run.
type seeder struct {
	ctx  context.Context
	db   *store.DB
	real time.Time // the real now: nothing is recorded after it
	zone string    // the demo sites' time zone (Zone)
	loc  *time.Location
	// dayStart is 08:00 of the workshop day shown: today in the sites' zone
	// (Zone puts the real now at 10:00 or later there), or yesterday should
	// the now be before 10:00 all the same. Its opening hours are squeezed
	// into the time between dayStart and the real now (at most 18:00) by scale.
	dayStart time.Time
	scale    float64
	clock    time.Time

	sites map[string]*shop.Site
	users map[string]*shop.User // by name
	bays  map[string]*shop.Bay  // by site code + bay code, e.g. "SZ01/B07"
	ctxs  map[shop.UserID]context.Context
	keys  map[string]int // key tags handed out per site
	reg   *regulars

	steps []step
	stats struct{ customers, vehicles, visits, orders, appointments int }
}

// step is one action of the plan, run with the store's clock at at.
type step struct {
	at   time.Time
	what string
	fn   func() error
}

func newSeeder(ctx context.Context, db *store.DB, now time.Time) *seeder {
	zone, loc := Zone(now)
	s := &seeder{ctx: ctx, db: db, real: now, zone: zone, loc: loc, sites: map[string]*shop.Site{}, users: map[string]*shop.User{},
		bays: map[string]*shop.Bay{}, ctxs: map[shop.UserID]context.Context{}, keys: map[string]int{}}
	rl := now.In(loc)
	open := time.Date(rl.Year(), rl.Month(), rl.Day(), 8, 0, 0, 0, loc)
	if now.Before(open.Add(2 * time.Hour)) {
		// Early morning (not with Zone's zones, kept as a guard): show
		// yesterday's full day; its cars are still here.
		s.dayStart, s.scale = open.AddDate(0, 0, -1), 1
	} else {
		end := open.Add(10 * time.Hour)
		if now.Before(end) {
			end = now
		}
		s.dayStart, s.scale = open, end.Sub(open).Minutes()/workdayMinutes
	}
	return s
}

// Zone returns the time zone the demo sites get when seeded at now (its
// IANA name and location), so that the sites' clocks read a working moment
// whenever `make run` starts: Asia/Shanghai while it is 10:00 to 17:00 there,
// otherwise the whole-hour zone (Etc/GMT-N) in which now is mid-morning,
// 10:30 to 11:30, nearest to Shanghai's. A demo started at 03:00 in
// Shenzhen shows its day at about 11:00, not cards 10–14 hours late.
// Returns no error: without the zone database it uses fixed zones.
func Zone(now time.Time) (string, *time.Location) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		sh = time.FixedZone("CST", 8*3600)
	}
	l := now.In(sh)
	if m := l.Hour()*60 + l.Minute(); m >= 10*60 && m < 17*60 {
		return "Asia/Shanghai", sh
	}
	u := now.UTC()
	um := u.Hour()*60 + u.Minute()
	best, found := 0, false
	for off := -12; off <= 14; off++ { // the range of the Etc/GMT zones
		local := ((um+off*60)%1440 + 1440) % 1440
		if local < 10*60+30 || local >= 11*60+30 {
			continue
		}
		if !found || abs(off-8) < abs(best-8) {
			best, found = off, true
		}
	}
	// POSIX-style names: Etc/GMT-9 is nine hours ahead of UTC.
	name := "Etc/GMT"
	switch {
	case best > 0:
		name = fmt.Sprintf("Etc/GMT-%d", best)
	case best < 0:
		name = fmt.Sprintf("Etc/GMT+%d", -best)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.FixedZone(name, best*3600)
	}
	return name, loc
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// workdayMinutes is the length of the planned day, 08:00 to 18:00.
const workdayMinutes = 600

// day returns the clock of the workshop day n days before the one shown:
// minutes after 08:00. Day 0 is squeezed to end by the real now.
func (s *seeder) day(n int) func(m int) time.Time {
	if n == 0 {
		return func(m int) time.Time {
			return s.dayStart.Add(time.Duration(float64(m) * s.scale * float64(time.Minute))).Truncate(time.Second)
		}
	}
	base := s.dayStart.AddDate(0, 0, -n)
	return func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
}

// today returns the real today's local date at hh:mm.
func (s *seeder) today(hh, mm int) time.Time {
	r := s.real.In(s.loc)
	return time.Date(r.Year(), r.Month(), r.Day(), hh, mm, 0, 0, s.loc)
}

// later returns a promise h hours after the real now, rounded up to ten
// minutes and moved into the workshop's opening hours.
func (s *seeder) later(h float64) time.Time {
	t := s.real.Add(time.Duration(h * float64(time.Hour))).In(s.loc)
	if r := t.Truncate(10 * time.Minute); r.Before(t) {
		t = r.Add(10 * time.Minute)
	}
	// Outside opening hours: the next morning, different promises on
	// different times before noon.
	y, mo, d := t.Date()
	spread := time.Duration(int(h*20)%150) * time.Minute
	switch {
	case t.Hour() < 8 || t.Hour() == 8 && t.Minute() < 30:
		return time.Date(y, mo, d, 9, 30, 0, 0, s.loc).Add(spread)
	case t.Hour() >= 18:
		return time.Date(y, mo, d+1, 9, 30, 0, 0, s.loc).Add(spread)
	}
	return t
}

// add plans a step.
func (s *seeder) add(at time.Time, what string, fn func() error) {
	s.steps = append(s.steps, step{at: at, what: what, fn: fn})
}

// run executes the plan in time order (steps at the same instant in the
// order they were planned), with the store's clock at each step's time.
func (s *seeder) run() error {
	sort.SliceStable(s.steps, func(i, j int) bool { return s.steps[i].at.Before(s.steps[j].at) })
	for _, st := range s.steps {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		if st.at.After(s.real) {
			return fmt.Errorf("demo step %q is planned at %s, after the real now", st.what, st.at.Format(time.RFC3339))
		}
		s.clock = st.at
		if err := st.fn(); err != nil {
			return fmt.Errorf("demo step %q at %s: %w", st.what, st.at.In(s.loc).Format("2006-01-02 15:04:05"), err)
		}
	}
	return nil
}

// as returns a context acting as u.
func (s *seeder) as(u *shop.User) context.Context {
	if c, ok := s.ctxs[u.ID]; ok {
		return c
	}
	c := shop.NewContextWithActor(s.ctx, &shop.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, TeamLead: u.TeamLead, SiteIDs: u.SiteIDs})
	s.ctxs[u.ID] = c
	return c
}

// user returns a demo user by name; a typo in the plan is a bug, so it panics.
func (s *seeder) user(name string) *shop.User {
	u, ok := s.users[name]
	if !ok {
		panic("demo: no user " + name)
	}
	return u
}

// staff returns the first member of site with role.
func (s *seeder) staff(site *shop.Site, role shop.Role) *shop.User {
	for _, m := range members {
		if m.role == role && s.sites[m.site] == site {
			return s.users[m.name]
		}
	}
	panic(fmt.Sprintf("demo: no %s at %s", role, site.Code))
}

// leadFor returns who checks a technician's work: the lead of their team,
// or, for a lead's own work, another lead or else the foreman.
func (s *seeder) leadFor(site *shop.Site, tech *shop.User) *shop.User {
	var other *shop.User
	for _, m := range members {
		if !m.lead || s.sites[m.site] != site {
			continue
		}
		u := s.users[m.name]
		if u.ID == tech.ID {
			continue
		}
		if m.team == tech.Team {
			return u
		}
		if other == nil {
			other = u
		}
	}
	if other != nil {
		return other
	}
	return s.staff(site, shop.RoleForeman)
}

// bay returns a bay by site and code.
func (s *seeder) bay(site *shop.Site, code string) *shop.Bay {
	b, ok := s.bays[site.Code+"/"+code]
	if !ok {
		panic("demo: no bay " + site.Code + "/" + code)
	}
	return b
}

// keyTag hands out the next key tag of a site (K-001 … K-120, then again).
func (s *seeder) keyTag(site *shop.Site) string {
	s.keys[site.Code]++
	return fmt.Sprintf("K-%03d", (s.keys[site.Code]-1)%120+1)
}

// setup creates the sites, staff with their tokens, bays and parts, on the
// real clock.
func (s *seeder) setup() error {
	for _, site := range []*shop.Site{
		{Code: "SZ01", Name: "深圳福田4S店", TimeZone: s.zone, LabourRate: 30000, OpensAt: 8 * 60, ClosesAt: 18 * 60},
		{Code: "GZ01", Name: "广州天河4S店", TimeZone: s.zone, LabourRate: 28000, OpensAt: 8*60 + 30, ClosesAt: 17*60 + 30},
	} {
		if err := s.db.CreateSite(s.ctx, site); err != nil {
			return fmt.Errorf("create site %s: %w", site.Code, err)
		}
		s.sites[site.Code] = site
	}
	for _, m := range members {
		u := &shop.User{Name: m.name, ShortName: m.short, Role: m.role, TeamLead: m.lead, Team: m.team,
			SiteIDs: []shop.SiteID{s.sites[m.site].ID}}
		if err := s.db.CreateUser(s.ctx, u); err != nil {
			return fmt.Errorf("create user %s: %w", m.name, err)
		}
		if err := s.db.StoreToken(s.ctx, u.ID, m.token, "demo", 0); err != nil {
			return fmt.Errorf("token of %s: %w", m.name, err)
		}
		s.users[m.name] = u
	}
	for _, b := range bays {
		bay := &shop.Bay{SiteID: s.sites[b.site].ID, Code: b.code, Name: b.name, Kind: b.kind}
		if err := s.db.CreateBay(s.ctx, bay); err != nil {
			return fmt.Errorf("create bay %s/%s: %w", b.site, b.code, err)
		}
		s.bays[b.site+"/"+b.code] = bay
	}
	for _, p := range parts {
		part := &shop.Part{SiteID: s.sites[p.site].ID, PartNumber: p.number, Description: p.desc, UnitPrice: p.price,
			OnHand: p.onHand, Reserved: p.reserved}
		if err := s.db.CreatePart(s.ctx, part); err != nil {
			return fmt.Errorf("create part %s: %w", p.number, err)
		}
	}
	return s.setupRota()
}

// bays are the workshop bays (工位) of both sites.
var bays = []struct{ site, code, name, kind string }{
	{"SZ01", "B01", "一号机修工位", "LIFT"},
	{"SZ01", "B02", "二号机修工位", "LIFT"},
	{"SZ01", "B03", "三号机修工位", "LIFT"},
	{"SZ01", "B04", "四号机修工位", "LIFT"},
	{"SZ01", "B05", "五号机修工位", "LIFT"},
	{"SZ01", "B06", "快修快保工位", "LIFT"},
	{"SZ01", "B07", "四轮定位工位", "ALIGNMENT"},
	{"SZ01", "B08", "电器诊断工位", "DIAGNOSIS"},
	{"SZ01", "B09", "钣金一号工位", "BODY"},
	{"SZ01", "B10", "钣金二号工位", "BODY"},
	{"SZ01", "B11", "烤漆房", "PAINT"},
	{"SZ01", "B12", "洗车工位", "WASH"},
	{"GZ01", "B01", "一号工位", "LIFT"},
	{"GZ01", "B02", "二号工位", "LIFT"},
	{"GZ01", "B03", "洗车工位", "WASH"},
}

// parts is the parts catalogue (备品库存). Some have nothing available: none
// on hand, or all of it reserved.
var parts = []struct {
	site, number, desc string
	price              shop.Money
	onHand, reserved   int
}{
	{"SZ01", "04152-YZZA1", "机油滤清器（丰田）", 8500, 40, 2},
	{"SZ01", "MOBIL1-0W20-4L", "美孚1号全合成机油 0W-20 4L", 45800, 36, 3},
	{"SZ01", "04465-33471", "前刹车片（凯美瑞）", 48000, 2, 2},
	{"SZ01", "04465-02220", "前刹车片（卡罗拉）", 42000, 6, 0},
	{"SZ01", "43512-02220", "前刹车盘（卡罗拉）", 65000, 4, 0},
	{"SZ01", "85222-06180", "雨刮片套装（丰田）", 15000, 10, 0},
	{"SZ01", "15400-PLM-A02", "机油滤清器（本田）", 6800, 35, 0},
	{"SZ01", "80292-TBA-A11", "空调滤芯（本田）", 15800, 12, 0},
	{"SZ01", "06L115562B", "机油滤清器（大众）", 9600, 25, 0},
	{"SZ01", "5Q0698151B", "前刹车片（大众）", 56000, 0, 0},
	{"SZ01", "5Q0820803F", "空调压缩机总成（大众）", 398000, 0, 0},
	{"SZ01", "0DE321371", "变速箱油底壳密封垫（大众）", 32000, 0, 0},
	{"SZ01", "15208-65F0E", "机油滤清器（日产）", 5800, 30, 0},
	{"SZ01", "S101012-0100", "机油滤清器（长安）", 4800, 15, 0},
	{"SZ01", "55594651", "机油滤清器（别克）", 6200, 20, 0},
	{"SZ01", "27277-3JA0A", "空调滤芯（日产）", 12800, 10, 0},
	{"SZ01", "HA-8109110", "空调滤芯（比亚迪汉）", 12000, 8, 0},
	{"SZ01", "ILKAR7B11", "NGK 铱金火花塞", 12000, 16, 4},
	{"SZ01", "08823-80010", "刹车油 DOT4 1L", 9500, 20, 0},
	{"SZ01", "6-QW-60", "瓦尔塔蓄电池 60Ah", 78000, 5, 1},
	{"SZ01", "MIC-2055516", "米其林浩悦4 205/55R16 轮胎", 72000, 8, 4},
	{"SZ01", "MIC-2354518", "米其林 PS4 235/45R18 轮胎", 118000, 2, 2},
	{"SZ01", "52119-0R390", "前保险杠皮（RAV4荣放）", 185000, 1, 1},
	{"SZ01", "81150-0R170", "左前大灯总成（RAV4荣放）", 486000, 1, 1},
	{"SZ01", "4013034400", "前减震器（博越）", 68000, 2, 0},
	{"GZ01", "04152-YZZA1", "机油滤清器（丰田）", 8500, 12, 0},
	{"GZ01", "MOBIL1-0W20-4L", "美孚1号全合成机油 0W-20 4L", 45800, 10, 0},
	{"GZ01", "LMG-8104020", "空调滤芯（传祺）", 9800, 0, 0},
}
