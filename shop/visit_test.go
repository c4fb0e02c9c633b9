package shop_test

import (
	"strings"
	"testing"

	"bayboard/shop"
)

// wantInvalid fails unless err is INVALID and names field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	if code := shop.ErrorCode(err); code != shop.EINVALID {
		t.Fatalf("code=%q, want %q (err=%v)", code, shop.EINVALID, err)
	}
	if f := shop.ErrorField(err); f != field {
		t.Fatalf("field=%q, want %q", f, field)
	}
}

func TestNormalizeVIN(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct{ in, want string }{
			{"1M8GDM9AXKP042788", "1M8GDM9AXKP042788"}, // check digit X
			{"11111111111111111", "11111111111111111"},
			{"LSVAM4187C2184847", "LSVAM4187C2184847"}, // made in China
			{"1HGCM82633A004352", "1HGCM82633A004352"},
			{"5YJSA1E14FF087599", "5YJSA1E14FF087599"},
			{"1m8gdm9axkp042788", "1M8GDM9AXKP042788"},
			{"  LSVAM4187C2184847\n", "LSVAM4187C2184847"},
		} {
			t.Run(tt.in, func(t *testing.T) {
				got, err := shop.NormalizeVIN(tt.in)
				if err != nil {
					t.Fatalf("err=%v, want nil", err)
				}
				if got != tt.want {
					t.Fatalf("vin=%q, want %q", got, tt.want)
				}
			})
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct{ name, in string }{
			{"Empty", ""},
			{"CheckDigit", "1M8GDM9A1KP042788"},
			{"CheckDigitOnes", "11111111211111111"},
			{"CheckDigitChina", "LFV2A21K2G4001234"}, // should be X
			{"CheckDigitTypo", "1HGCM82633A004353"},  // last digit changed
			{"LetterI", "1M8GDM9AXKP04278I"},
			{"LetterO", "1M8GDM9AXKPO42788"},
			{"LetterQ", "Q1111111111111111"},
			{"Short", "1M8GDM9AXKP04278"},
			{"Long", "1M8GDM9AXKP0427888"},
			{"Hyphen", "1M8GDM9AX-P042788"},
			{"Inner space", "1M8GDM9AX P042788"},
			{"Chinese", "粤M8GDM9AXKP042788"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := shop.NormalizeVIN(tt.in)
				wantInvalid(t, err, "vin")
				if got != "" {
					t.Fatalf("vin=%q, want empty", got)
				}
			})
		}
	})
}

func TestNormalizePlate(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct{ in, want string }{
			{"粤B12345", "粤B12345"},
			{"粤B 12345", "粤B12345"},
			{"粤B·12345", "粤B12345"},
			{"粤B-12345", "粤B12345"},
			{"粤B.12345", "粤B12345"},
			{" 粤b1234a ", "粤B1234A"},
			{"粤BD12345", "粤BD12345"}, // new energy, small car
			{"粤b d12345", "粤BD12345"},
			{"粤B12345F", "粤B12345F"}, // new energy, large vehicle
			{"京A1234挂", "京A1234挂"},
			{"沪AZ0001", "沪AZ0001"},
		} {
			t.Run(tt.in, func(t *testing.T) {
				got, err := shop.NormalizePlate(tt.in)
				if err != nil {
					t.Fatalf("err=%v, want nil", err)
				}
				if got != tt.want {
					t.Fatalf("plate=%q, want %q", got, tt.want)
				}
			})
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct{ name, in string }{
			{"Empty", ""},
			{"TooShort", "粤B1234"},
			{"TooLong", "粤B1234567"},
			{"NoProvince", "AB12345"},
			{"UnknownProvince", "港B12345"},
			{"NoLetter", "粤112345"},
			{"LetterO", "粤B1O345"},
			{"LetterI", "粤B1234I"},
			{"Masked", "粤B·•••45"},
			{"Punctuation", "粤B12_45"},
			{"Digits", "1234567"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := shop.NormalizePlate(tt.in)
				wantInvalid(t, err, "plate")
				if got != "" {
					t.Fatalf("plate=%q, want empty", got)
				}
			})
		}
	})
}

func TestMaskPlate(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"粤B12345", "粤B·•••45"},
		{"粤BD12345", "粤B·•••45"},
		{"京A1234挂", "京A·•••4挂"},
		{"粤B123", "粤B·•••23"},
		{"粤B12", "••••"},
		{"粤B1", "•••"},
		{"", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got := shop.MaskPlate(tt.in)
			if got != tt.want {
				t.Fatalf("masked=%q, want %q", got, tt.want)
			}
			if len([]rune(tt.in)) > 5 && strings.Contains(got, string([]rune(tt.in)[2:len([]rune(tt.in))-2])) {
				t.Fatalf("masked=%q shows the middle of %q", got, tt.in)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct{ in, want string }{
			{"13800138000", "13800138000"},
			{"138 0013 8000", "13800138000"},
			{"138-0013-8000", "13800138000"},
			{" 19912345678 ", "19912345678"},
			{"+86 138 0013 8000", "+8613800138000"},
			{"010-12345678", "01012345678"},
			{"(0755) 1234567", "07551234567"},
			{"0755-12345678", "075512345678"},
		} {
			t.Run(tt.in, func(t *testing.T) {
				got, err := shop.NormalizePhone(tt.in)
				if err != nil {
					t.Fatalf("err=%v, want nil", err)
				}
				if got != tt.want {
					t.Fatalf("phone=%q, want %q", got, tt.want)
				}
			})
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct{ name, in string }{
			{"Empty", ""},
			{"Letters", "abc"},
			{"SecondDigit", "12800138000"},
			{"TenDigits", "1380013800"},
			{"TwelveDigits", "138001380001"},
			{"NoAreaCode", "12345678"},
			{"AreaCodeZero", "0012345678"},
			{"Foreign", "+1 415 555 0100"},
			{"Fullwidth", "１３８００１３８０００"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := shop.NormalizePhone(tt.in)
				wantInvalid(t, err, "phone")
				if got != "" {
					t.Fatalf("phone=%q, want empty", got)
				}
			})
		}
	})
}

func TestMaskPhone(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"13800138000", "138****8000"},
		{"01012345678", "010****5678"},
		{"12345678", "123****5678"},
		{"1234567", "****"},
		{"", "****"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := shop.MaskPhone(tt.in); got != tt.want {
				t.Fatalf("masked=%q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckText(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			name     string
			in       string
			required bool
			max      int
			want     string
		}{
			{"Plain", "Brakes squeal", true, 200, "Brakes squeal"},
			{"Trimmed", "  左前轮异响 \n", true, 200, "左前轮异响"},
			{"OptionalEmpty", "   ", false, 200, ""},
			{"NewlineTab", "line one\n\tline two", true, 200, "line one\n\tline two"},
			{"ChineseAtMax", strings.Repeat("刹", 10), true, 10, strings.Repeat("刹", 10)}, // 30 bytes, 10 runes
			{"Emoji", "👍 很满意", false, 5, "👍 很满意"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := shop.CheckText("complaint", tt.in, tt.required, tt.max)
				if err != nil {
					t.Fatalf("err=%v, want nil", err)
				}
				if got != tt.want {
					t.Fatalf("text=%q, want %q", got, tt.want)
				}
			})
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct {
			name     string
			in       string
			required bool
			max      int
		}{
			{"RequiredEmpty", "", true, 200},
			{"RequiredBlank", " \t\n ", true, 200},
			{"ChineseTooLong", strings.Repeat("刹", 11), true, 10},
			{"TooLong", strings.Repeat("a", shop.MaxShortText+1), false, shop.MaxShortText},
			{"NUL", "a\x00b", false, 200},
			{"Escape", "a\x1b[31mb", false, 200},
			{"Bell", "a\ab", false, 200},
			{"DEL", "a\x7fb", false, 200},
			{"BadUTF8", "a\xffb", false, 200},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := shop.CheckText("complaint", tt.in, tt.required, tt.max)
				wantInvalid(t, err, "complaint")
				if got != "" {
					t.Fatalf("text=%q, want empty", got)
				}
			})
		}
	})

	t.Run("ErrMessageCountsRunes", func(t *testing.T) {
		_, err := shop.CheckText("findings", strings.Repeat("刹", 11), true, 10)
		if msg := shop.ErrorMessage(err); !strings.Contains(msg, "11 characters") {
			t.Fatalf("message=%q, want it to count 11 characters", msg)
		}
	})
}

// TestValidNumbers covers the range checks of readings and quantities.
func TestValidNumbers(t *testing.T) {
	for _, tt := range []struct {
		name  string
		check func(int) error
		field string
		ok    []int
		bad   []int
	}{
		{"Mileage", shop.ValidMileage, "mileage", []int{0, 1, 123456, 2_000_000}, []int{-1, 2_000_001}},
		{"FuelLevel", shop.ValidFuelLevel, "fuelLevel", []int{0, 25, 100}, []int{-1, 101}},
		{"Quantity", shop.ValidQuantity, "quantity", []int{1, 4, 10_000}, []int{0, -1, 10_001}},
		{"Progress", shop.ValidProgress, "progress", []int{0, 80, 100}, []int{-1, 101}},
		{"LabourMinutes", shop.ValidLabourMinutes, "labourMinutes", []int{1, 90, 43_200}, []int{0, -5, 43_201}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Run("OK", func(t *testing.T) {
				for _, v := range tt.ok {
					if err := tt.check(v); err != nil {
						t.Fatalf("check(%d)=%v, want nil", v, err)
					}
				}
			})
			t.Run("ErrInvalid", func(t *testing.T) {
				for _, v := range tt.bad {
					wantInvalid(t, tt.check(v), tt.field)
				}
			})
		})
	}
}
