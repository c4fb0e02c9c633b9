package demo

import (
	"time"

	"bayboard/shop"
)

// booked plans the appointment of a car received today: booked n days
// before, for the time it arrived (rounded down to ten minutes).
func (v *visit) booked(n, m int, work, prepare string) *visit {
	return v.book(v.s.day(n)(150+m%240), v.clk(m).Truncate(10*time.Minute), work, prepare, 0)
}

// planYesterday plans two cars delivered the day before.
func (s *seeder) planYesterday() {
	sz := s.sites["SZ01"]
	v := s.visit(sz, &person{name: "沈佳", phone: "13723456780"}, s.car("粤B·3S5D7", "本田", "缤智 1.5L", "炫橙", "LVHRU584", 3, 530291), "林晓燕").on(1)
	v.receive(100, arrival{km: 36420, fuel: 45, complaint: "35000 公里保养"})
	v.draft(110, service(60, "15400-PLM-A02")).sign(118, v.clk(420)).handOver(120, shop.PriorityNormal)
	m := v.job(125, 0, "马超", "B04", 60)
	v.qc(m+15, "").wash(m+40).settle(400, "WX4200006630").deliver(410, 46420)

	v = s.visit(sz, &person{name: "钟伟", phone: "13632145678"}, s.car("粤B·6U2E9", "大众", "速腾 280TSI", "极地白", "LFV2B25G", 4, 611847), "黄志明").on(1)
	v.receive(200, arrival{km: 58760, fuel: 60, complaint: "刹车时有尖锐异响"})
	v.draft(212, estimate{work: shop.WorkRepair, findings: "前刹车片磨损到报警线", pay: shop.PayAlipay,
		jobs:  []job{{desc: "更换前刹车片", minutes: 60}},
		parts: []part{{number: "5Q0698151B", qty: 1, job: 0}}}).sign(220, v.clk(480)).handOver(222, shop.PriorityNormal)
	m = v.job(230, 0, "周海涛", "B05", 60)
	v.qc(m+15, "").settle(460, "ALI2088106245").deliver(470, 68760)
}

// planToday plans the cars in the workshop on the day shown, lane by lane.
func (s *seeder) planToday() {
	sz, r := s.sites["SZ01"], s.regulars()
	d := s.day(0)

	// Delivered this morning: a quick service by appointment.
	v := s.visit(sz, &person{name: "叶晓峰", phone: "13760123987"}, s.car("粤B·9A3F6", "丰田", "卡罗拉 双擎 1.8L", "铂金珍珠白", "LFMAP86C", 3, 402218), "王芳")
	v.booked(3, 30, "保养", "")
	v.receive(32, arrival{km: 29870, fuel: 55, complaint: "30000 公里保养", belongings: []string{"儿童安全座椅"}})
	e := service(60, "04152-YZZA1")
	e.wash, e.pay = false, shop.PayAlipay
	v.draft(40, e).sign(48, d(180)).handOver(50, shop.PriorityNormal)
	m := v.job(55, 0, "郑浩", "B06", 60)
	v.qc(m+10, "").settle(200, "ALI2088107781").deliver(205, 39870)

	// Settled, customer picks up after work.
	v = s.visit(sz, &person{name: "梁伟文", phone: "13902298765"}, s.car("粤B·4N7R2", "大众", "途观L 330TSI", "北极白", "LSVXZ25N", 3, 716503), "黄志明")
	v.receive(15, arrival{km: 44210, fuel: 30, complaint: "45000 公里保养，顺便换刹车油", belongings: []string{"雨伞", "行车记录仪"}})
	e = service(60, "06L115562B", job{desc: "更换刹车油", minutes: 30})
	e.parts = append(e.parts, part{number: "08823-80010", qty: 1, job: 1})
	v.draft(22, e).sign(28, d(300)).handOver(30, shop.PriorityNormal)
	m = v.job(32, 0, "赵磊", "B02", 60)
	m = v.job(m+2, 1, "赵磊", "B02", 30)
	v.qc(m+15, "").wash(m+40).settle(400, "WX4200007154")

	// Settled and late: ready after the promised time.
	v = s.visit(sz, &person{name: "蔡敏", phone: "18922334455"}, s.car("粤B·5Y8K3", "丰田", "汉兰达 2.0T 四驱", "墨晶黑", "LVGCC40J", 5, 820476), "林晓燕")
	v.booked(2, 60, "保养，检查四驱系统", "")
	v.receive(40, arrival{km: 81230, fuel: 25, complaint: "80000 公里保养，四驱指示灯偶尔闪烁", damages: [][2]string{{"右后门", "凹陷约 3cm"}}})
	e = service(60, "04152-YZZA1", job{desc: "检查四驱系统", minutes: 60})
	e.pay = shop.PayCard
	v.draft(50, e).sign(58, d(180)).handOver(60, shop.PriorityHigh)
	m = v.job(65, 0, "张伟", "B01", 60)
	m = v.job(m, 1, "张伟", "B01", 60)
	v.qc(m+15, "").wash(m+35).settle(560, "POS6222027350")

	// Ready, on time, no wash wanted; not paid yet.
	v = s.visit(sz, &person{name: "何丽娟", phone: "13570881234"}, s.car("粤B·1C6G9", "本田", "思域 240TURBO", "炫动蓝", "LVHFC164", 2, 905113), "王芳")
	v.receive(140, arrival{km: 19850, fuel: 70, complaint: "20000 公里保养，空调有异味"})
	e = service(60, "15400-PLM-A02", job{desc: "空调系统清洗", minutes: 30})
	e.wash = false
	v.draft(148, e).sign(155, d(330)).handOver(158, shop.PriorityNormal)
	m = v.job(160, 0, "吴俊", "B05", 60)
	m = v.job(m, 1, "吴俊", "B05", 30)
	v.qc(m+10, "")

	// Ready but late: the battery job overran the promise.
	v = s.visit(sz, &person{name: "罗小军", phone: "15889765432"}, s.car("粤B·8T5W3", "马自达", "CX-5 2.5L", "魂动红", "LVRHDACN", 5, 114592), "黄志明")
	v.receive(235, arrival{km: 90410, fuel: 20, complaint: "仪表蓄电池灯亮，启动无力"})
	v.draft(242, estimate{work: shop.WorkRepair, findings: "蓄电池健康度 35%，发电机待测", wash: true, pay: shop.PayWeChat,
		jobs:  []job{{desc: "更换蓄电池", minutes: 30}, {desc: "检查充电系统", minutes: 30}},
		parts: []part{{number: "6-QW-60", qty: 1, job: 0}}}).sign(250, d(300)).handOver(252, shop.PriorityHigh)
	m = v.job(275, 0, "吴俊", "B05", 30)
	m = v.job(m-8, 1, "吴俊", "B05", 30)
	v.qc(m+10, "").wash(m + 35)

	// In the wash: passed final inspection.
	v = s.visit(sz, &person{name: "谢芳", phone: "13828765109"}, s.car("粤B·6P9H2", "奥迪", "A4L 40 TFSI", "冰川白", "LFV3A28W", 3, 233761), "林晓燕")
	v.booked(2, 330, "40000 公里保养", "机油、机滤")
	v.receive(332, arrival{km: 40120, fuel: 65, complaint: "40000 公里保养，雨刮有异响"})
	e = service(90, "06L115562B", job{desc: "更换雨刮片", minutes: 10})
	e.parts = append(e.parts, part{number: "WIPER-AUDI-A4L", qty: 1, job: 1, desc: "博世雨刮片套装（A4L）", price: 26800})
	v.draft(340, e).sign(348, s.later(1)).handOver(350, shop.PriorityNormal)
	m = v.job(355, 0, "郑浩", "B06", 90)
	m = v.job(m-8, 1, "郑浩", "B06", 10)
	v.qc(540, "")

	v = s.visit(sz, &person{name: "许文博", phone: "18620451234"}, s.car("粤B·F28461", "比亚迪", "宋PLUS DM-i", "雪域白", "LGXCE4CD", 2, 562930), "王芳")
	v.receive(380, arrival{km: 24560, fuel: 80, complaint: "25000 公里保养，雨刮片老化"})
	e = service(60, "HA-8109110", job{desc: "更换雨刮片", minutes: 10})
	e.parts = []part{{number: "MOBIL1-0W20-4L", qty: 1, job: 0}, {number: "BYD-WIPER-SP", qty: 1, job: 1, desc: "雨刮片套装（宋PLUS）", price: 13800}}
	v.draft(388, e).sign(395, s.later(1.5)).handOver(398, shop.PriorityNormal)
	m = v.job(410, 0, "马超", "B03", 60)
	v.job(m-8, 1, "马超", "B03", 10)
	v.qc(560, "")

	// Final inspection (总检) due: one on time, one late.
	v = s.visit(sz, &person{name: "韩雪", phone: "13631457890"}, s.car("粤B·3W8J5", "丰田", "卡罗拉 1.2T", "星光银", "LFMAP22C", 4, 381654), "黄志明")
	v.receive(320, arrival{km: 67320, fuel: 40, complaint: "刹车时方向盘抖动，有吱吱声"})
	v.draft(332, estimate{work: shop.WorkRepair, findings: "前刹车盘偏摆超标，刹车片剩余 2mm", wash: true, pay: shop.PayWeChat,
		jobs:  []job{{desc: "更换前刹车片", minutes: 60}, {desc: "更换前刹车盘", minutes: 60}},
		parts: []part{{number: "04465-02220", qty: 1, job: 0}, {number: "43512-02220", qty: 2, job: 1}}}).
		sign(340, s.later(1)).handOver(343, shop.PriorityNormal)
	m = v.job(350, 0, "吴俊", "B01", 60)
	v.job(m-8, 1, "吴俊", "B01", 60)

	v = s.visit(sz, &person{name: "冯志远", phone: "15915873462"}, s.car("粤B·5E2L7", "大众", "迈腾 380TSI", "深海蓝", "LFV3A23C", 4, 493127), "林晓燕")
	v.receive(355, arrival{km: 59870, fuel: 35, complaint: "60000 公里保养，怠速有抖动"})
	e = service(60, "06L115562B", job{desc: "更换火花塞", minutes: 30})
	e.parts = append(e.parts, part{number: "ILKAR7B11", qty: 4, job: 1})
	v.draft(365, e).sign(372, d(480)).handOver(375, shop.PriorityNormal)
	m = v.job(400, 0, "何建华", "B04", 60)
	v.job(m-8, 1, "何建华", "B04", 30)

	// Checks: one job waits for its self-check, the other for the team lead.
	v = s.visit(sz, &person{name: "曾静", phone: "13410987654"}, s.car("粤B·2R6V4", "长安", "CS75 PLUS", "极光白", "LS5A3DKE", 2, 127743), "王芳")
	v.receive(480, arrival{km: 14950, fuel: 50, complaint: "15000 公里保养"})
	v.draft(488, service(60, "S101012-0100")).sign(495, s.later(1)).handOver(498, shop.PriorityNormal)
	v.dispatch(515, 0, "赵磊", "B02").start(518, 0).progress(550, 0, 60).finish(580, 0)

	v = s.visit(sz, &person{name: "彭磊", phone: "18503001234"}, s.car("粤B·7K1D8", "哈弗", "H6 1.5T", "钛金灰", "LGWEF6A5", 6, 305519), "黄志明")
	v.receive(470, arrival{km: 102300, fuel: 15, complaint: "车辆无法启动，搭电后可以启动"})
	v.draft(478, estimate{work: shop.WorkRepair, findings: "蓄电池亏电严重，需检查发电机发电量", pay: shop.PayCash,
		jobs:  []job{{desc: "更换蓄电池", minutes: 30}, {desc: "检查发电机发电量", minutes: 30}},
		parts: []part{{number: "6-QW-60", qty: 1, job: 0}}}).sign(484, s.later(0.5)).handOver(486, shop.PriorityHigh)
	m = v.work(495, 0, "周海涛", "B05", 30)
	v.job(m+2, 1, "周海涛", "B05", 30)

	// Failed final inspection: rework under way (late), and rework not yet started.
	v = s.visit(sz, &person{name: "潘建平", phone: "13715673201"}, s.car("粤B·9G4M6", "本田", "CR-V 240TURBO", "琥珀棕", "LVHRW184", 4, 662048), "王芳")
	v.receive(270, arrival{km: 61200, fuel: 45, complaint: "过减速带时底盘有咯噔声，变速箱油到期"})
	v.draft(280, estimate{work: shop.WorkRepair, findings: "底盘异响待查，变速箱油已到更换周期", wash: true, pay: shop.PayWeChat,
		jobs:  []job{{desc: "更换变速箱油", minutes: 60}, {desc: "检查底盘异响", minutes: 30}},
		parts: []part{{number: "HONDA-CVTF-4L", qty: 1, job: 0, desc: "本田 CVTF 变速箱油 4L", price: 52000}}}).
		sign(290, d(510)).handOver(293, shop.PriorityNormal)
	m = v.job(300, 0, "马超", "B03", 60)
	m = v.job(m-8, 1, "马超", "B03", 30)
	v.qc(470, "复检路试：过减速带异响仍在，右前稳定杆连杆螺母未按力矩紧固", 1)
	v.dispatch(500, 1, "马超", "B04").start(505, 1).progress(560, 1, 50)

	v = s.visit(sz, &person{name: "杜娟", phone: "13824680135"}, s.car("粤B·4X9A3", "别克", "英朗 1.3T", "珍珠白", "LSGKB54H", 5, 774306), "林晓燕")
	v.receive(380, arrival{km: 71560, fuel: 60, complaint: "70000 公里保养"})
	v.draft(388, service(60, "55594651")).sign(395, s.later(1)).handOver(398, shop.PriorityNormal)
	v.job(418, 0, "周海涛", "B05", 60)
	v.qc(570, "机油液位低于下限，需补加并复查是否渗漏", 0)

	// Waiting for the customer's approval of additional work (增项).
	v = s.visit(sz, &person{name: "程浩", phone: "13662781345"}, s.car("粤B·6C3N8", "日产", "天籁 2.0L", "铂金银", "LGBF5AE0", 5, 247815), "黄志明")
	v.receive(340, arrival{km: 78900, fuel: 50, complaint: "80000 公里保养"})
	v.draft(348, service(60, "15208-65F0E")).sign(352, s.later(1.5)).handOver(355, shop.PriorityNormal)
	v.job(360, 0, "赵磊", "B02", 60)
	v.found(390, 0, extra{desc: "更换前刹车片", reason: "前刹车片剩余 2mm，已到磨损极限", minutes: 45, safety: true,
		parts: []part{{number: "41060-3TA0A", qty: 1, desc: "前刹车片（天籁）", price: 52000}}})

	v = s.visit(sz, &person{name: "苏琳", phone: "15118273645"}, s.car("粤B·8L5Q2", "吉利", "博越 1.8T", "琉璃蓝", "L6T7844Z", 4, 590036), "王芳")
	v.receive(300, arrival{km: 66400, fuel: 35, complaint: "过坑时右前有咚咚声"})
	v.draft(310, estimate{work: shop.WorkRepair, findings: "右前悬挂异响，需举升检查", wash: true, pay: shop.PayAlipay,
		jobs: []job{{desc: "检查底盘异响", minutes: 60}}}).sign(318, d(450)).handOver(322, shop.PriorityNormal)
	v.job(350, 0, "周海涛", "B05", 60)
	v.found(380, 0, extra{desc: "更换右前减震器", reason: "右前减震器漏油，减震失效", minutes: 90, safety: true,
		parts: []part{{number: "4013034400", qty: 1}}})

	v = s.visit(sz, &person{name: "魏东", phone: "13509876321"}, s.car("粤B·3H7Z5", "别克", "GL8 ES 陆尊", "星空灰", "LSGUD84X", 6, 418207), "林晓燕")
	v.receive(195, arrival{km: 118700, fuel: 40, complaint: "保养，加速有点闷", belongings: []string{"儿童安全座椅", "雨伞"}})
	v.draft(203, service(60, "55594651")).sign(208, s.later(2)).handOver(210, shop.PriorityNormal)
	v.job(215, 0, "张伟", "B01", 60)
	v.found(240, 0, extra{desc: "更换四条轮胎", reason: "四条轮胎胎纹仅剩 2.5mm，雨天易打滑", minutes: 60, safety: true,
		parts: []part{{number: "MIC-2255517", qty: 4, desc: "米其林浩悦4 225/55R17 轮胎", price: 98000}}})
	v.decline(265, 0, "魏东本人", "客户表示下月自行更换，已告知安全风险并在委托书注明")
	v.found(270, 0, extra{desc: "节气门清洗", reason: "节气门积碳严重，导致加速发闷", minutes: 30,
		parts: []part{{number: "THROTTLE-CLEAN", qty: 1, desc: "节气门清洗剂", price: 6800}}})

	// Waiting for parts: an approved compressor nobody has in stock, and a
	// warranty part on urgent order (late).
	v = s.visit(sz, &person{name: "蒋丽华", phone: "13926548710"}, s.car("粤B·5J8U1", "大众", "宝来 1.5L", "冰川银", "LFV2A21K", 5, 802264), "黄志明")
	v.receive(185, arrival{km: 73400, fuel: 30, complaint: "空调不制冷，出风口是热风"})
	v.draft(195, estimate{work: shop.WorkRepair, findings: "空调不制冷，需检测", wash: true, pay: shop.PayWeChat,
		jobs: []job{{desc: "空调系统检测", minutes: 40}}}).sign(205, d(420)).handOver(208, shop.PriorityNormal)
	v.job(210, 0, "何建华", "B08", 40)
	k := v.found(235, 0, extra{desc: "更换空调压缩机总成", reason: "压缩机离合器烧蚀，不吸合", minutes: 180,
		parts: []part{{number: "5Q0820803F", qty: 1}, {number: "R134A-500G", qty: 1, desc: "R134a 冷媒 500g", price: 18000}}})
	tomorrow := s.later(22)
	v.approve(258, 0, "蒋丽华本人", &tomorrow)
	v.needs(259, k, "AC")
	v.dispatch(270, k, "何建华", "B08").start(275, k).pause(295, k, shop.PauseWaitingParts, "压缩机缺货，已紧急调货，预计明天上午到")

	v = s.visit(sz, r.chen, r.passat, "林晓燕")
	v.booked(2, 60, "变速箱底部渗油，检查（保修期内）", "")
	v.receive(62, arrival{km: 33800, fuel: 55, complaint: "停车位地面有油迹，变速箱底部有油渍"})
	v.draft(75, estimate{work: shop.WorkWarranty, findings: "变速箱油底壳密封垫渗油，属质保范围", warranty: true,
		pay: shop.PayNone, oldParts: shop.OldPartsWarrantyRetain, wash: true,
		jobs:  []job{{desc: "检查变速箱渗漏", minutes: 45}, {desc: "更换变速箱油底壳密封垫（保修）", minutes: 120}},
		parts: []part{{number: "0DE321371", qty: 1, job: 1}, {number: "DSG-OIL-1L", qty: 2, job: 1, desc: "DSG 变速箱油 1L", price: 16000}}}).
		sign(85, d(420)).handOver(88, shop.PriorityNormal)
	v.job(95, 0, "何建华", "B04", 45)
	v.dispatch(158, 1, "何建华", "B04").start(160, 1).pause(175, 1, shop.PauseWaitingParts, "保修件缺货，索赔员已申请紧急订货，预计两天到货")

	// In work.
	v = s.visit(sz, r.huang, r.camry, "王芳")
	v.booked(3, 400, "60000 公里保养，刹车有异响", "机油、机滤、前刹车片")
	v.receive(400, arrival{km: 60130, fuel: 45, complaint: "60000 公里保养，踩刹车有吱吱声", belongings: []string{"行车记录仪"}})
	e = service(90, "04152-YZZA1", job{desc: "检查前刹车异响", minutes: 30})
	v.draft(412, e).sign(425, s.later(2)).handOver(430, shop.PriorityNormal)
	v.dispatch(495, 0, "张伟", "B01").dispatch(495, 1, "张伟", "B01")
	v.start(500, 1).finish(530, 1).selfCheck(532, 1).leadCheck(545, 1, "")
	v.start(535, 0).progress(565, 0, 40)

	v = s.visit(sz, r.li, r.accord, "黄志明")
	v.receive(440, arrival{km: 41250, fuel: 60, complaint: "高速时方向盘发抖，前轮偏磨"})
	v.draft(450, estimate{work: shop.WorkRepair, findings: "前轮内侧偏磨，需换胎并做四轮定位", wash: true, pay: shop.PayCard,
		jobs:  []job{{desc: "更换两条前轮胎", minutes: 30}, {desc: "四轮定位", minutes: 45, price: 29800}},
		parts: []part{{number: "MIC-2354518", qty: 2, job: 0}}}).sign(458, s.later(1)).handOver(460, shop.PriorityNormal)
	v.job(475, 0, "赵磊", "B06", 30)
	v.dispatch(550, 1, "吴俊", "B07").start(555, 1).progress(585, 1, 40)

	v = s.visit(sz, r.zhou, r.han, "王芳")
	v.booked(2, 212, "30000 公里保养", "空调滤芯")
	v.receive(212, arrival{km: 30520, fuel: 62, complaint: "30000 公里保养"})
	v.draft(225, estimate{work: shop.WorkMaintenance, findings: "按保养手册保养", wash: true, pay: shop.PayWeChat,
		jobs:  []job{{desc: "动力电池及高压系统检测", minutes: 60}, {desc: "更换空调滤芯", minutes: 15}, {desc: "更换刹车油", minutes: 30}},
		parts: []part{{number: "HA-8109110", qty: 1, job: 1}, {number: "08823-80010", qty: 1, job: 2}}}).
		sign(240, d(480)).handOver(245, shop.PriorityNormal)
	m = v.job(495, 0, "郑浩", "B03", 60)
	m = v.job(m-8, 1, "郑浩", "B03", 15)
	v.dispatch(m-8, 2, "郑浩", "B03").start(m-5, 2)

	// Accident car, insurer pays (定损单 recorded): body work done yesterday,
	// painting today.
	v = s.visit(sz, &person{name: "郭明", phone: "13802567890"}, s.car("粤B·7F6T4", "丰田", "RAV4荣放 2.0L", "雅致灰", "LFMA140W", 3, 271598), "王芳").on(2)
	v.receive(150, arrival{km: 35210, fuel: 50, complaint: "前部碰撞，左前大灯损坏（保险报案号 RDAA2026440300012345）",
		damages: [][2]string{{"前保险杠", "破裂"}, {"左前翼子板", "凹陷约 20cm"}, {"左前大灯", "破碎"}}})
	v.draft(170, estimate{work: shop.WorkAccident, findings: "前保险杠破损，左前翼子板凹陷，左前大灯支架断裂", insurer: "中国人民财产保险",
		wash: true, oldParts: shop.OldPartsReturnToCustomer,
		jobs:  []job{{desc: "左前翼子板钣金修复", minutes: 240}, {desc: "前保险杠更换及喷漆", minutes: 300}, {desc: "更换左前大灯总成", minutes: 60}},
		parts: []part{{number: "52119-0R390", qty: 1, job: 1}, {number: "81150-0R170", qty: 1, job: 2}}})
	v.assess(400, "PICC-DS-"+s.dayStart.AddDate(0, 0, -2).Format("20060102")+"-0457")
	v.sign(420, s.later(30)).handOver(425, shop.PriorityNormal)
	v.on(1)
	m = v.job(30, 0, "周海涛", "B09", 240)
	v.job(m+5, 2, "周海涛", "B09", 60)
	v.dispatch(300, 1, "罗志刚", "B11").start(360, 1).progress(560, 1, 30).pause(590, 1, shop.PauseOther, "下班，明早继续喷涂")
	v.on(0).resume(30, 1).progress(300, 1, 60).progress(520, 1, 85)

	// Waiting for dispatch: one late (promised by now, workshop full), one on time.
	v = s.visit(sz, &person{name: "吴婷婷", phone: "15013572468"}, s.car("粤B·7Q4C1", "大众", "朗逸 1.5L", "星光蓝", "LSVNV2182", 4, 150384), "林晓燕")
	v.booked(1, 300, "更换机油机滤，换雨刮片", "机油、机滤")
	v.receive(302, arrival{km: 52300, fuel: 40, complaint: "保养，雨刮刮不干净"})
	e = service(45, "06L115562B", job{desc: "更换雨刮片", minutes: 10})
	e.parts = append(e.parts, part{number: "VW-WIPER-LAVIDA", qty: 1, job: 1, desc: "雨刮片套装（朗逸）", price: 12800})
	v.draft(312, e).sign(320, d(420)).handOver(325, shop.PriorityNormal)

	v = s.visit(sz, &person{name: "林国华", phone: "13590213456"}, s.car("粤B·5M2X8", "日产", "轩逸 1.6L", "冰晶白", "LGBH52E0", 3, 936117), "王芳")
	v.receive(520, arrival{km: 31780, fuel: 55, complaint: "30000 公里保养，空调风小"})
	e = service(60, "15208-65F0E", job{desc: "更换空调滤芯", minutes: 15})
	e.parts = append(e.parts, part{number: "27277-3JA0A", qty: 1, job: 1})
	v.draft(530, e).sign(540, s.later(2.5)).handOver(545, shop.PriorityNormal).needs(546, 1, "AC")

	// At reception: one signed, not yet handed over; one estimate being written.
	v = s.visit(sz, &person{name: "邓丽", phone: "13560987123"}, s.car("粤B·2D9K7", "丰田", "雷凌 1.5L", "天青蓝", "LVGBN41E", 2, 488305), "黄志明")
	v.receive(560, arrival{km: 21040, fuel: 75, complaint: "20000 公里保养"})
	v.draft(572, service(60, "04152-YZZA1")).sign(585, s.later(3))

	v = s.visit(sz, &person{name: "钟晓明", phone: "13798765012"}, s.car("粤B·6N4S8", "马自达", "阿特兹 2.5L", "水晶灰", "LVRGJADM", 6, 342210), "林晓燕")
	v.receive(575, arrival{km: 96200, fuel: 35, complaint: "发动机故障灯亮，加速无力"})
	v.draft(590, estimate{work: shop.WorkRepair, findings: "读取故障码 P0301（1 缸失火），待进一步检查", wash: true, pay: shop.PayWeChat,
		jobs:  []job{{desc: "读取故障码并诊断", minutes: 30}, {desc: "更换点火线圈及火花塞", minutes: 60}},
		parts: []part{{number: "ILKAR7B11", qty: 4, job: 1}}})
}

// planAppointments books today's appointments still to come (the welcome
// board, 欢迎看板), one cancelled, and two for tomorrow.
func (s *seeder) planAppointments() {
	sz := s.sites["SZ01"]
	var future, gone []time.Time
	for _, hm := range [][2]int{{8, 30}, {9, 0}, {9, 30}, {10, 0}, {10, 30}, {11, 0}, {13, 30}, {14, 0}, {14, 30}, {15, 0},
		{15, 30}, {16, 0}, {16, 30}, {17, 0}} {
		if t := s.today(hm[0], hm[1]); t.After(s.real.Add(15 * time.Minute)) {
			future = append(future, t)
		} else {
			gone = append(gone, t)
		}
	}
	slots := future
	if len(future) > 4 {
		slots = []time.Time{future[0], future[1], future[len(future)/2], future[len(future)-1]}
	}
	for len(slots) < 4 { // late in the day: customers who have not come yet
		slots = append([]time.Time{gone[len(gone)-1-(len(slots)-len(future))]}, slots...)
	}
	type appt struct {
		who           *person
		car           *auto
		adv, work     string
		prepare       string
		deposit       shop.Money
		bookedDaysAgo int
	}
	for i, a := range []appt{
		{&person{name: "郑晓东", phone: "13828001122"}, s.car("粤B·2G7H5", "丰田", "凯美瑞 2.5HQ", "铂金珍珠白", "LVGBE44K", 0, 6120), "王芳",
			"新车首保（5000 公里）", "机油、机滤", 0, 7},
		{&person{name: "孙雨桐", phone: "15012345670"}, s.car("粤B·9E1Z4", "本田", "思域 1.5T", "炫晶白", "LVHFC264", 4, 710344), "黄志明",
			"更换四条轮胎并做四轮定位", "米其林浩悦4 205/55R16 × 4（已预留）", 144000, 3},
		{&person{name: "黎志军", phone: "13925678123"}, s.car("粤B·D72519", "比亚迪", "秦PLUS DM-i", "海岸蓝", "LGXC74C4", 2, 286117), "林晓燕",
			"空调有异味，清洗空调系统", "空调滤芯", 0, 1},
		{&person{name: "方婷", phone: "18676543210"}, s.car("粤B·5C8X1", "大众", "帕萨特 380TSI", "曜岩黑", "LSVAX63D", 3, 552908), "王芳",
			"仪表发动机故障灯亮", "", 0, 1},
	} {
		v := s.visit(sz, a.who, a.car, a.adv)
		v.book(s.day(a.bookedDaysAgo)(120+40*i), slots[i], a.work, a.prepare, a.deposit)
	}

	v := s.visit(sz, &person{name: "唐亮", phone: "13712349090"}, s.car("粤B·4B6F3", "日产", "逍客 2.0L", "熔岩红", "LGBM4AE4", 4, 630875), "黄志明")
	v.book(s.day(4)(200), s.today(11, 0), "40000 公里保养", "", 0).cancelBooking(s.day(1)(300), "客户临时出差，改约下周")

	tomorrow := s.today(9, 0).AddDate(0, 0, 1)
	v = s.visit(sz, &person{name: "白雪", phone: "18811223344"}, s.car("粤B·8M3C6", "奥迪", "Q5L 45 TFSI", "朱鹭白", "LFV3B28R", 2, 118463), "林晓燕")
	v.book(s.day(1)(420), tomorrow, "20000 公里保养", "机油、机滤、空调滤芯", 0)
	v = s.visit(sz, &person{name: "严峻", phone: "13544332211"}, s.car("粤B·1K9P7", "丰田", "RAV4荣放 2.5L 双擎", "冰川白", "LFMA340W", 2, 305577), "王芳")
	v.book(s.day(1)(450), tomorrow.Add(90*time.Minute), "更换雨刮片，检查空调制冷", "雨刮片", 0)
}

// planGZ01 plans the small second store: a car in work, one ready, one
// waiting for dispatch and an appointment.
func (s *seeder) planGZ01() {
	gz := s.sites["GZ01"]
	v := s.visit(gz, &person{name: "黄丽", phone: "13802345678"}, s.car("粤A·2M6P9", "丰田", "凯美瑞 2.0E", "珍珠白", "LVGBF40K", 3, 917402), "周敏")
	v.receive(200, arrival{km: 38400, fuel: 50, complaint: "40000 公里保养"})
	e := service(60, "04152-YZZA1")
	e.wash = false
	v.draft(210, e).sign(215, s.later(1)).handOver(218, shop.PriorityNormal)
	m := v.job(220, 0, "陆海", "B02", 60)
	v.qc(m+20, "")

	v = s.visit(gz, &person{name: "林志豪", phone: "13922113344"}, s.car("粤A·5K8M3", "广汽传祺", "GS4 270T", "极光银", "LMGAJ1S8", 4, 226190), "周敏")
	v.receive(480, arrival{km: 60150, fuel: 40, complaint: "60000 公里保养"})
	v.draft(490, estimate{work: shop.WorkMaintenance, findings: "按保养手册保养", wash: true, pay: shop.PayWeChat,
		jobs:  []job{{desc: "常规保养（更换机油、机油滤清器）", minutes: 60}},
		parts: []part{{number: "MOBIL1-0W20-4L", qty: 1, job: 0}}}).sign(497, s.later(1.5)).handOver(500, shop.PriorityNormal)
	v.dispatch(505, 0, "冯军", "B01").start(510, 0).progress(560, 0, 50)

	v = s.visit(gz, &person{name: "郑伟", phone: "15920334455"}, s.car("粤A·7H3N2", "本田", "雅阁 1.5T", "曜石黑", "LHGCV265", 2, 408873), "周敏")
	v.receive(560, arrival{km: 18200, fuel: 70, complaint: "空调不凉"})
	v.draft(570, estimate{work: shop.WorkRepair, findings: "空调制冷不足，需检测", pay: shop.PayWeChat,
		jobs: []job{{desc: "空调系统检测", minutes: 40}}}).sign(578, s.later(2)).handOver(580, shop.PriorityNormal).needs(581, 0, "AC")

	v = s.visit(gz, &person{name: "何美玲", phone: "13660778899"}, s.car("粤A·9D4K6", "广汽传祺", "M8 领秀", "星河灰", "LMGMU1S8", 1, 30527), "周敏")
	v.book(s.day(2)(180), s.later(1), "10000 公里保养", "机油、机滤", 0)
}
