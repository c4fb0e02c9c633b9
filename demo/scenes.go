package demo

import "bayboard/shop"

// The plan of the demo day. Times are minutes after 08:00 on the visit's day
// (see seeder.day): on the day shown they are squeezed so that 18:00 falls
// on the real now at the latest. Technicians and bays are planned so that
// nobody works two jobs at once.

// car returns a car of the given age in years with a valid VIN.
func (s *seeder) car(plate, make, model, colour, vinPrefix string, age, serial int) *auto {
	year := s.real.In(s.loc).Year() - age
	return &auto{plate: plate, make: make, model: model, colour: colour, year: year, vin: vin(vinPrefix, year, '8', serial)}
}

// plan plans everything: history first, then the day, then appointments.
func (s *seeder) plan() {
	s.planHistory()
	s.planYesterday()
	s.planToday()
	s.planAppointments()
	s.planGZ01()
}

// Customers who come back: their cars are in today and have years of history.
type regulars struct {
	huang, li, chen, zhou      *person
	camry, accord, passat, han *auto
}

func (s *seeder) regulars() *regulars {
	if s.reg == nil {
		s.reg = &regulars{
			huang:  &person{name: "黄建国", phone: "13823456781"},
			li:     &person{name: "李晓梅", phone: "13926781234"},
			chen:   &person{name: "陈志强", phone: "13612349876"},
			zhou:   &person{name: "周雅琴", phone: "18688765432"},
			camry:  s.car("粤B·6F3K9", "丰田", "凯美瑞 2.0G 豪华版", "珍珠白", "LVGBE40K", 4, 112853),
			accord: s.car("粤B·8D2N7", "本田", "雅阁 260TURBO", "星月白", "LHGCV165", 3, 224170),
			passat: s.car("粤B·2H8P5", "大众", "帕萨特 330TSI", "曜岩黑", "LSVAX63C", 2, 350612),
			han:    s.car("粤B·D36819", "比亚迪", "汉 EV 创世版", "汉宫红", "LGXCE4CB", 2, 418835),
		}
	}
	return s.reg
}

// past is one earlier visit, from reception to delivery on one day.
type past struct {
	n         int // days before the day shown
	km        int
	booked    bool
	complaint string
	est       estimate
	tech, bay string
	extra     *extra
	approved  bool   // else the customer declined the extra
	rework    string // final inspection failed with these notes: job 0 is redone
	ref       string // payment reference
}

// past plans a complete earlier visit.
func (s *seeder) past(site *shop.Site, who *person, car *auto, adv string, p past) {
	v := s.visit(site, who, car, adv).on(p.n)
	if p.booked {
		v.book(s.day(p.n+4)(150), v.clk(60), p.complaint, "", 0)
	}
	v.receive(62, arrival{km: p.km, fuel: 30 + p.n%60, complaint: p.complaint, belongings: []string{"行车记录仪", "车载充电器"}})
	v.draft(75, p.est).sign(85, v.clk(480)).handOver(90, shop.PriorityNormal)
	m := 95
	for i, j := range p.est.jobs {
		start := m
		m = v.job(m, i, p.tech, p.bay, j.minutes) + 5
		if i == 0 && p.extra != nil {
			v.found(start+15, 0, *p.extra)
			if p.approved {
				v.approve(start+30, 0, who.name+"本人", nil)
			} else {
				v.decline(start+30, 0, who.name+"本人", "客户表示下次保养时再处理，已告知风险")
			}
		}
	}
	if p.extra != nil && p.approved {
		m = v.job(m, len(p.est.jobs), p.tech, p.bay, p.extra.minutes) + 5
	}
	if p.rework != "" {
		v.qc(m+10, p.rework, 0).start(m+20, 0).finish(m+40, 0).selfCheck(m+42, 0).leadCheck(m+50, 0, "")
		m += 50
	}
	v.qc(m+10, "")
	m += 10
	if p.est.wash {
		v.wash(m + 25)
		m += 25
	}
	settle := max(m+30, 420)
	v.settle(settle, p.ref).deliver(settle+10, p.km+10000)
}

// Common estimates.
func service(minutes int, filter string, extra ...job) estimate {
	return estimate{work: shop.WorkMaintenance, findings: "按保养手册进行例行保养", wash: true, pay: shop.PayWeChat,
		jobs:  append([]job{{desc: "常规保养（更换机油、机油滤清器）", minutes: minutes}}, extra...),
		parts: []part{{number: "MOBIL1-0W20-4L", qty: 1, job: 0}, {number: filter, qty: 1, job: 0}}}
}

// planHistory plans two years of visits of the regulars.
func (s *seeder) planHistory() {
	sz, r := s.sites["SZ01"], s.regulars()
	wiper := job{desc: "更换雨刮片", minutes: 10}
	ac := job{desc: "空调系统清洗", minutes: 30}

	// 黄建国's Camry: every ~6 months; declined front pads last time.
	s.past(sz, r.huang, r.camry, "王芳", past{n: 690, km: 20150, booked: true, complaint: "20000 公里保养",
		est: service(60, "04152-YZZA1"), tech: "张伟", bay: "B01", ref: "WX4200001839"})
	e := service(90, "04152-YZZA1", wiper)
	e.parts = append(e.parts, part{number: "85222-06180", qty: 1, job: 1})
	s.past(sz, r.huang, r.camry, "王芳", past{n: 510, km: 30080, booked: true, complaint: "30000 公里保养，雨刮刮不干净",
		est: e, tech: "吴俊", bay: "B02", ref: "WX4200002711"})
	e = service(60, "04152-YZZA1")
	e.pay = shop.PayAlipay
	s.past(sz, r.huang, r.camry, "王芳", past{n: 330, km: 40020, complaint: "40000 公里保养",
		est: e, tech: "张伟", bay: "B01",
		extra: &extra{desc: "更换刹车油", reason: "刹车油含水量 3%，超过标准", minutes: 30, safety: true,
			parts: []part{{number: "08823-80010", qty: 1}}}, approved: true, ref: "ALI2088103312"})
	s.past(sz, r.huang, r.camry, "王芳", past{n: 150, km: 49870, booked: true, complaint: "50000 公里保养，空调有异味",
		est: service(60, "04152-YZZA1", ac), tech: "何建华", bay: "B03",
		extra: &extra{desc: "更换前刹车片", reason: "前刹车片剩余 4mm，建议更换", minutes: 60, safety: true,
			parts: []part{{number: "04465-33471", qty: 1}}}, ref: "WX4200005127"})

	// 李晓梅's Accord: one rework after a failed final inspection.
	s.past(sz, r.li, r.accord, "黄志明", past{n: 600, km: 10200, booked: true, complaint: "10000 公里保养",
		est: service(60, "15400-PLM-A02"), tech: "郑浩", bay: "B06", ref: "WX4200002203"})
	e = service(60, "15400-PLM-A02", job{desc: "更换空调滤芯", minutes: 15})
	e.parts = append(e.parts, part{number: "80292-TBA-A11", qty: 1, job: 1})
	s.past(sz, r.li, r.accord, "黄志明", past{n: 420, km: 20480, complaint: "20000 公里保养，空调出风有异味",
		est: e, tech: "马超", bay: "B04", rework: "机油滤清器接合面渗油，需重新安装并紧固", ref: "WX4200003388"})
	s.past(sz, r.li, r.accord, "黄志明", past{n: 240, km: 30110, booked: true, complaint: "30000 公里保养",
		est: service(90, "15400-PLM-A02"), tech: "郑浩", bay: "B06", ref: "WX4200004460"})
	s.past(sz, r.li, r.accord, "黄志明", past{n: 60, km: 38900, complaint: "早上冷车启动困难",
		est: estimate{work: shop.WorkRepair, findings: "蓄电池检测健康度 42%，需更换", pay: shop.PayCard,
			jobs: []job{{desc: "更换蓄电池", minutes: 30}}, parts: []part{{number: "6-QW-60", qty: 1, job: 0}}},
		tech: "吴俊", bay: "B05", ref: "POS6222021187"})

	// 陈志强's Passat: free first service, then routine.
	free := service(60, "06L115562B")
	free.findings, free.pay = "首次保养（厂家免费）", shop.PayNone
	free.jobs[0].payer = shop.PayerInternal
	for i := range free.parts {
		free.parts[i].payer = shop.PayerInternal
	}
	s.past(sz, r.chen, r.passat, "林晓燕", past{n: 560, km: 5100, booked: true, complaint: "首次保养", est: free, tech: "马超", bay: "B04"})
	s.past(sz, r.chen, r.passat, "林晓燕", past{n: 380, km: 15300, complaint: "15000 公里保养",
		est: service(60, "06L115562B"), tech: "周海涛", bay: "B05", ref: "WX4200003016"})
	e = service(60, "06L115562B", job{desc: "更换刹车油", minutes: 30})
	e.parts = append(e.parts, part{number: "08823-80010", qty: 1, job: 1})
	s.past(sz, r.chen, r.passat, "林晓燕", past{n: 200, km: 25050, booked: true, complaint: "25000 公里保养", est: e,
		tech: "马超", bay: "B04", ref: "WX4200004871"})

	// 周雅琴's Han EV: no engine oil, a battery check instead.
	ev := estimate{work: shop.WorkMaintenance, findings: "首次保养（厂家免费）：高压系统检测", wash: true, pay: shop.PayNone,
		jobs: []job{{desc: "动力电池及高压系统检测", minutes: 45, payer: shop.PayerInternal}}}
	s.past(sz, r.zhou, r.han, "王芳", past{n: 400, km: 8200, booked: true, complaint: "首次保养", est: ev, tech: "郑浩", bay: "B03"})
	s.past(sz, r.zhou, r.han, "王芳", past{n: 200, km: 19600, complaint: "20000 公里保养", tech: "郑浩", bay: "B03", ref: "WX4200004902",
		est: estimate{work: shop.WorkMaintenance, findings: "电池健康度 98%", wash: true, pay: shop.PayWeChat,
			jobs:  []job{{desc: "动力电池及高压系统检测", minutes: 45}, {desc: "更换空调滤芯", minutes: 15}},
			parts: []part{{number: "HA-8109110", qty: 1, job: 1}}}})
}
