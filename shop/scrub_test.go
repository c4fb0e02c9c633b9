package shop_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"bayboard/shop"
)

func TestScrub(t *testing.T) {
	for _, tt := range []struct {
		name  string
		text  string
		names []string
		want  string
	}{
		{"OK/pause note from the issue", "等客户司马萱涵电话确认 13910726241", []string{"司马萱涵"}, "等客户***电话确认 ***"},
		{"OK/mobile in groups", "客户电话 139 1072 6241，下午回电", nil, "客户电话 ***，下午回电"},
		{"OK/mobile with +86", "call +86 13910726241 after 5", nil, "call *** after 5"},
		{"OK/landline with area code", "单位电话0755-88889999", nil, "单位电话***"},
		{"OK/local landline", "打 8888999 找前台", nil, "打 *** 找前台"},
		{"OK/ID card with X", "身份证11010519491231002X已核对", nil, "身份证***已核对"},
		{"OK/full-width digits", "电话１３９１０７２６２４１", nil, "电话***"},
		{"OK/VIN", "车架号 LSVAM4187C2184847 前轮", nil, "车架号 *** 前轮"},
		{"OK/plate", "粤B12345 左前门刮伤", nil, "*** 左前门刮伤"},
		{"OK/plate with separator", "车牌 粤B·D12345", nil, "车牌 ***"},
		{"OK/email", "发报价到 wang.fang+car@example.com.cn 谢谢", nil, "发报价到 *** 谢谢"},
		{"OK/surname with title", "王先生要求保留旧件", nil, "***先生要求保留旧件"},
		{"OK/the customer's name anywhere", "张伟说张伟的车异响", []string{"张伟"}, "***说***的车异响"},
		{"OK/one-character name is not blotted out", "更换机油", []string{"机"}, "更换机油"},
		{"OK/work text stays", "更换机油滤清器 5W-30 4.5L，工时 0.8h，里程 50000 km，¥1280.50", nil,
			"更换机油滤清器 5W-30 4.5L，工时 0.8h，里程 50000 km，¥1280.50"},
		{"OK/part number stays", "配件 04152-YZZA1 ×2", nil, "配件 04152-YZZA1 ×2"},
		{"OK/date stays", "配件 2026-12-05 到货", nil, "配件 2026-12-05 到货"},
		{"OK/a longer code is not a VIN", "订单 ABCDEFGHJKLMNPRS123456", nil, "订单 ABCDEFGHJKLMNPRS123456"},
		{"OK/empty", "", []string{"张伟"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := shop.Scrub(tt.text, tt.names...); got != tt.want {
				t.Fatalf("Scrub(%q)=%q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

var (
	longDigitsRe = regexp.MustCompile(`[0-9]{7,}`)
	emailLikeRe  = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+\.[A-Za-z]{2,}`)
)

// FuzzScrub: whatever staff type, the scrubbed text holds no run of seven
// or more digits, no e-mail address and none of the names; scrubbing twice
// changes nothing more; valid UTF-8 stays valid.
func FuzzScrub(f *testing.F) {
	for _, s := range []string{
		"等客户司马萱涵电话确认 13910726241", "139 1072 6241", "+86-139-1072-6241", "11010519491231002X",
		"LSVAM4187C2184847", "粤B·D12345", "a@b.cn", "王先生", "先生先生", "2026-12-05 13910726241",
		"1234567", "123456", "ab1234567cd", "\xff\xfe13910726241", "１３９１０７２６２４１",
	} {
		f.Add(s, "司马萱涵")
	}
	f.Fuzz(func(t *testing.T, text, name string) {
		once := shop.Scrub(text, name)
		if twice := shop.Scrub(once, name); twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", text, once, twice)
		}
		if utf8.ValidString(text) && !utf8.ValidString(once) {
			t.Fatalf("invalid UTF-8 from valid %q: %q", text, once)
		}
		if m := longDigitsRe.FindString(once); m != "" {
			t.Fatalf("digits %q left in %q (from %q)", m, once, text)
		}
		if m := emailLikeRe.FindString(once); m != "" {
			t.Fatalf("e-mail %q left in %q (from %q)", m, once, text)
		}
		n := strings.TrimSpace(name)
		if utf8.RuneCountInString(n) >= 2 && utf8.ValidString(n) && !strings.Contains(n, "*") && strings.Contains(once, n) {
			t.Fatalf("name %q left in %q (from %q)", n, once, text)
		}
	})
}
