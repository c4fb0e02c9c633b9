package shop_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

// allOrderActions lists every order action; the package exports no such list.
var allOrderActions = []shop.OrderAction{
	shop.OrderEdit, shop.OrderSign, shop.OrderHandOver, shop.OrderWork, shop.OrderSubmitQC,
	shop.OrderPassQC, shop.OrderFailQC, shop.OrderFinishWash, shop.OrderSettle, shop.OrderDeliver,
	shop.OrderCancel,
}

// wantOrderMachine is the repair order's life (DOMAIN.md steps 3–13) written
// out by hand. Every pair not listed here must be refused.
var wantOrderMachine = map[shop.OrderState]map[shop.OrderAction]shop.OrderState{
	shop.OrderDraft: {
		shop.OrderEdit:   shop.OrderDraft,
		shop.OrderSign:   shop.OrderSigned,
		shop.OrderCancel: shop.OrderCancelled,
	},
	shop.OrderSigned: {
		shop.OrderHandOver: shop.OrderInWork,
		shop.OrderCancel:   shop.OrderCancelled,
	},
	shop.OrderInWork: {
		shop.OrderWork:     shop.OrderInWork,
		shop.OrderSubmitQC: shop.OrderQC,
	},
	shop.OrderQC: {
		shop.OrderPassQC: shop.OrderReady, // WASH instead is chosen outside the table
		shop.OrderFailQC: shop.OrderInWork,
	},
	shop.OrderWash:    {shop.OrderFinishWash: shop.OrderReady},
	shop.OrderReady:   {shop.OrderSettle: shop.OrderSettled},
	shop.OrderSettled: {shop.OrderDeliver: shop.OrderDelivered},
	// DELIVERED and CANCELLED are final.
}

func TestOrderStates(t *testing.T) {
	want := []shop.OrderState{"DRAFT", "SIGNED", "IN_WORK", "QC", "WASH", "READY", "SETTLED", "DELIVERED", "CANCELLED"}
	if !slices.Equal(shop.OrderStates, want) {
		t.Fatalf("OrderStates=%v, want %v", shop.OrderStates, want)
	}
}

func TestNextOrderState(t *testing.T) {
	type pair struct {
		state  shop.OrderState
		action shop.OrderAction
	}
	var legal, illegal []pair
	for _, s := range shop.OrderStates {
		for _, a := range allOrderActions {
			if _, ok := wantOrderMachine[s][a]; ok {
				legal = append(legal, pair{s, a})
			} else {
				illegal = append(illegal, pair{s, a})
			}
		}
	}
	if n := len(legal) + len(illegal); n != 9*11 {
		t.Fatalf("pairs=%d, want %d", n, 9*11)
	}
	if len(legal) != 12 {
		t.Fatalf("legal pairs=%d, want 12", len(legal))
	}

	t.Run("OK", func(t *testing.T) {
		for _, p := range legal {
			t.Run(string(p.state)+"/"+string(p.action), func(t *testing.T) {
				got, err := shop.NextOrderState(p.state, p.action)
				if err != nil {
					t.Fatalf("err=%v, want nil", err)
				}
				if want := wantOrderMachine[p.state][p.action]; got != want {
					t.Fatalf("state=%v, want %v", got, want)
				}
			})
		}
	})

	t.Run("ErrInvalidTransition", func(t *testing.T) {
		for _, p := range illegal {
			t.Run(string(p.state)+"/"+string(p.action), func(t *testing.T) {
				got, err := shop.NextOrderState(p.state, p.action)
				if code := shop.ErrorCode(err); code != shop.EINVALIDTRANSITION {
					t.Fatalf("code=%q, want %q (err=%v)", code, shop.EINVALIDTRANSITION, err)
				}
				if got != p.state {
					t.Fatalf("state=%v, want unchanged %v", got, p.state)
				}
				msg := shop.ErrorMessage(err)
				for _, name := range []string{string(p.state), string(p.action)} {
					if !strings.Contains(msg, "("+name+")") {
						t.Fatalf("message=%q, want it to name %s", msg, name)
					}
				}
			})
		}
	})

	t.Run("ErrUnknown", func(t *testing.T) {
		got, err := shop.NextOrderState("BOGUS", "FLY")
		if code := shop.ErrorCode(err); code != shop.EINVALIDTRANSITION {
			t.Fatalf("code=%q, want %q", code, shop.EINVALIDTRANSITION)
		}
		if got != "BOGUS" {
			t.Fatalf("state=%v, want BOGUS", got)
		}
		if msg := shop.ErrorMessage(err); !strings.Contains(msg, "BOGUS") || !strings.Contains(msg, "FLY") {
			t.Fatalf("message=%q, want it to name BOGUS and FLY", msg)
		}
	})
}

func TestOrderState_OpenInWorkshop(t *testing.T) {
	for _, tt := range []struct {
		state        shop.OrderState
		open, inShop bool
	}{
		{shop.OrderDraft, true, false},
		{shop.OrderSigned, true, false},
		{shop.OrderInWork, true, true},
		{shop.OrderQC, true, true},
		{shop.OrderWash, true, true},
		{shop.OrderReady, true, true},
		{shop.OrderSettled, true, true},
		{shop.OrderDelivered, false, false},
		{shop.OrderCancelled, false, false},
	} {
		t.Run(string(tt.state), func(t *testing.T) {
			if got := tt.state.Open(); got != tt.open {
				t.Fatalf("open=%v, want %v", got, tt.open)
			}
			if got := tt.state.InWorkshop(); got != tt.inShop {
				t.Fatalf("inWorkshop=%v, want %v", got, tt.inShop)
			}
		})
	}
}

// base is a Monday morning in the workshop, in UTC+8.
var base = time.Date(2025, 3, 10, 9, 0, 0, 0, time.FixedZone("CST", 8*60*60))

func at(d time.Duration) time.Time { return base.Add(d) }

func ptr[T any](v T) *T { return &v }

func TestNotifyLead(t *testing.T) {
	for _, tt := range []struct {
		name     string
		promised time.Duration // after hand-over
		want     time.Duration
	}{
		{"SameDay", 3 * time.Hour, time.Hour},
		{"UnderTwoDays", 48*time.Hour - time.Minute, time.Hour},
		{"JustUnderTwoDays", 48*time.Hour - time.Nanosecond, time.Hour},
		{"ExactlyTwoDays", 48 * time.Hour, 4 * time.Hour},
		{"OverTwoDays", 48*time.Hour + time.Minute, 4 * time.Hour},
		{"AWeek", 7 * 24 * time.Hour, 4 * time.Hour},
		{"PromisedBeforeHandOver", -time.Hour, time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := shop.NotifyLead(base, at(tt.promised)); got != tt.want {
				t.Fatalf("lead=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestNotifyBy(t *testing.T) {
	for _, tt := range []struct {
		name            string
		promised, ready time.Duration // after hand-over
		want            time.Duration
	}{
		{"ShortJobReadyEarly", 8 * time.Hour, 5 * time.Hour, 7 * time.Hour},
		{"ShortJobReadyAfterNotifyTime", 8 * time.Hour, 7*time.Hour + 30*time.Minute, 7*time.Hour + 30*time.Minute},
		{"ShortJobReadyAtNotifyTime", 8 * time.Hour, 7 * time.Hour, 7 * time.Hour},
		{"ReadyLate", 8 * time.Hour, 9 * time.Hour, 9 * time.Hour},
		{"LongJobReadyEarly", 72 * time.Hour, 60 * time.Hour, 68 * time.Hour},
		{"LongJobReadyAfterNotifyTime", 72 * time.Hour, 70 * time.Hour, 70 * time.Hour},
		{"ExactlyTwoDays", 48 * time.Hour, 10 * time.Hour, 44 * time.Hour},
		{"JustUnderTwoDays", 48*time.Hour - time.Minute, 10 * time.Hour, 47*time.Hour - time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := shop.NotifyBy(base, at(tt.promised), at(tt.ready))
			if want := at(tt.want); !got.Equal(want) {
				t.Fatalf("notifyBy=%v, want %v", got, want)
			}
		})
	}
}

func TestOrder_Late(t *testing.T) {
	promised := at(8 * time.Hour)
	for _, tt := range []struct {
		name     string
		state    shop.OrderState
		promised *time.Time
		ready    *time.Time
		now      time.Time
		late     bool
		minutes  int
	}{
		{"NoPromise", shop.OrderInWork, nil, nil, at(100 * time.Hour), false, 0},
		{"BeforePromise", shop.OrderInWork, &promised, nil, at(7 * time.Hour), false, 0},
		{"AtPromise", shop.OrderInWork, &promised, nil, promised, false, 0},
		{"JustPast", shop.OrderInWork, &promised, nil, promised.Add(time.Nanosecond), true, 0},
		{"NinetyMinutes", shop.OrderInWork, &promised, nil, promised.Add(90*time.Minute + 59*time.Second), true, 90},
		{"QC", shop.OrderQC, &promised, nil, promised.Add(time.Hour), true, 60},
		{"Wash", shop.OrderWash, &promised, nil, promised.Add(2 * time.Hour), true, 120},
		{"ReadyOnTime", shop.OrderReady, &promised, ptr(promised.Add(-time.Hour)), promised.Add(5 * time.Hour), false, 0},
		{"ReadyAtPromise", shop.OrderReady, &promised, ptr(promised), promised.Add(5 * time.Hour), false, 0},
		{"ReadyLate", shop.OrderReady, &promised, ptr(promised.Add(25 * time.Minute)), promised.Add(5 * time.Hour), true, 25},
		{"SettledReadyLate", shop.OrderSettled, &promised, ptr(promised.Add(time.Hour)), promised.Add(50 * time.Hour), true, 60},
		{"NotHandedOver", shop.OrderSigned, &promised, nil, promised.Add(time.Hour), false, 0},
		{"Delivered", shop.OrderDelivered, &promised, ptr(promised.Add(time.Hour)), promised.Add(time.Hour), false, 0},
		{"Cancelled", shop.OrderCancelled, &promised, nil, promised.Add(time.Hour), false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := &shop.Order{State: tt.state, PromisedAt: tt.promised, ReadyAt: tt.ready}
			if got := o.Late(tt.now); got != tt.late {
				t.Fatalf("late=%v, want %v", got, tt.late)
			}
			if got := o.MinutesLate(tt.now); got != tt.minutes {
				t.Fatalf("minutesLate=%v, want %v", got, tt.minutes)
			}
		})
	}
}
