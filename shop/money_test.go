package shop_test

import (
	"testing"

	"bayboard/shop"
)

func TestParseMoney(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			in   string
			want shop.Money
		}{
			{"0", 0},
			{"1280", 128000},
			{"1280.5", 128050},
			{"1280.50", 128050},
			{"-3.20", -320},
			{"+1", 100},
			{"0.01", 1},
			{"-0", 0},
			{"007", 700},
			{" 42.07 ", 4207},
			{"10000000000", shop.MaxMoney},
			{"-10000000000.00", -shop.MaxMoney},
		} {
			t.Run(tt.in, func(t *testing.T) {
				got, err := shop.ParseMoney(tt.in)
				if err != nil {
					t.Fatalf("err=%v, want nil", err)
				}
				if got != tt.want {
					t.Fatalf("money=%d, want %d", got, tt.want)
				}
			})
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"", " ", "-", "+", "--1", "+-1", "1e3", "1E3", "1,000", "1 000", "1.234", ".5", "5.", "1.2.3",
			"abc", "0x10", "１２", "1.-5", "NaN", "∞",
			// overflow: beyond MaxMoney, and beyond int64 altogether
			"10000000000.01", "100000000000", "-100000000000", "999999999999", "9223372036854775808",
			"99999999999999999999999999",
		} {
			t.Run(in, func(t *testing.T) {
				got, err := shop.ParseMoney(in)
				if code := shop.ErrorCode(err); code != shop.EINVALID {
					t.Fatalf("code=%q, want %q (money=%d)", code, shop.EINVALID, got)
				}
				if got != 0 {
					t.Fatalf("money=%d, want 0", got)
				}
			})
		}
	})
}

func TestMoney_String(t *testing.T) {
	for _, tt := range []struct {
		m    shop.Money
		want string
	}{
		{0, "0.00"},
		{1, "0.01"},
		{5, "0.05"},
		{100, "1.00"},
		{128050, "1280.50"},
		{-320, "-3.20"},
		{-5, "-0.05"},
		{shop.MaxMoney, "10000000000.00"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.m.String(); got != tt.want {
				t.Fatalf("string=%q, want %q", got, tt.want)
			}
			back, err := shop.ParseMoney(tt.want)
			if err != nil || back != tt.m {
				t.Fatalf("round trip=%d (%v), want %d", back, err, tt.m)
			}
		})
	}
}

func TestLabourCharge(t *testing.T) {
	for _, tt := range []struct {
		name    string
		rate    shop.Money // per hour
		minutes int
		want    shop.Money
	}{
		{"OneHour", 30000, 60, 30000},
		{"HourAndHalf", 30000, 90, 45000},
		{"OneMinute", 30000, 1, 500},
		{"Zero", 30000, 0, 0},
		{"NoRate", 0, 90, 0},
		{"RoundDown", 10000, 20, 3333},    // 3333.33
		{"RoundUp", 10000, 40, 6667},      // 6666.67
		{"HalfUp", 1, 30, 1},              // 0.5
		{"JustUnderHalf", 1, 29, 0},       // 0.483
		{"HalfUpOdd", 1, 90, 2},           // 1.5
		{"OddRate", 28800, 7, 3360},       // 3360 exactly
		{"OddRateRounds", 28850, 7, 3366}, // 3365.83
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := shop.LabourCharge(tt.rate, tt.minutes); got != tt.want {
				t.Fatalf("charge=%d, want %d", got, tt.want)
			}
		})
	}
}

func TestMoney_Times(t *testing.T) {
	if got, want := shop.Money(2550).Times(3), shop.Money(7650); got != want {
		t.Fatalf("times=%d, want %d", got, want)
	}
	if got := shop.Money(2550).Times(0); got != 0 {
		t.Fatalf("times=%d, want 0", got)
	}
}
