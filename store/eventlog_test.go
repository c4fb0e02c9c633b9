package store_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestMarkLateOrders: a car in the workshop past its promised time gets
// exactly one ORDER_LATE event, however many instances mark at once and
// however often; cars on time, not yet in the workshop or ready do not.
func TestMarkLateOrders(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	now := time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC) // 09:30 in Shenzhen
	db.Now = func() time.Time { return now }
	adv := storetest.Ctx(f.Advisor)

	promise := func(c *storetest.Car, at time.Time) {
		t.Helper()
		if _, err := db.UpdateRepairOrder(adv, store.UpdateRepairOrderInput{OrderID: c.Order.ID, PromisedAt: &at, Reason: ptr("客户同意")}); err != nil {
			t.Fatalf("promise: %v", err)
		}
	}
	late := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	onTime := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	ready := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1})
	draft := f.MustCar(t, db, shop.OrderDraft, storetest.CarOptions{Jobs: 1})
	promise(late, now.Add(time.Hour))
	promise(onTime, now.Add(5*time.Hour))
	promise(ready, now.Add(time.Hour))
	promise(draft, now.Add(time.Hour))

	if n, err := db.MarkLateOrders(context.Background()); err != nil || n != 0 {
		t.Fatalf("before the promised time: marked=%d err=%v, want 0", n, err)
	}
	now = now.Add(2 * time.Hour) // before any goroutine reads the clock

	var wg sync.WaitGroup
	var mu sync.Mutex
	marked := 0
	for range 8 {
		wg.Go(func() {
			n, err := db.MarkLateOrders(context.Background())
			if err != nil {
				t.Errorf("mark late: %v", err)
			}
			mu.Lock()
			marked += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if marked != 1 {
		t.Fatalf("marked=%d by 8 concurrent calls, want 1", marked)
	}
	if n, err := db.MarkLateOrders(context.Background()); err != nil || n != 0 {
		t.Fatalf("second pass: marked=%d err=%v, want 0", n, err)
	}

	raw, err := sql.Open("postgres", db.DSN())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer raw.Close()
	for _, c := range []struct {
		name string
		car  *storetest.Car
		want int
	}{{"late", late, 1}, {"on time", onTime, 0}, {"ready", ready, 0}, {"draft", draft, 0}} {
		var n int
		if err := raw.QueryRow(`SELECT count(*) FROM events WHERE order_id = $1 AND kind = $2`, c.car.Order.ID, shop.EventOrderLate).Scan(&n); err != nil {
			t.Fatalf("count: %v", err)
		}
		if n != c.want {
			t.Fatalf("%s order: ORDER_LATE events=%d, want %d", c.name, n, c.want)
		}
	}
	var ev struct {
		site, advisor int64
		lateSince     time.Time
	}
	if err := raw.QueryRow(`
		SELECT e.site_id, e.advisor_id, o.late_since FROM events e JOIN repair_orders o ON o.id = e.order_id
		WHERE e.order_id = $1 AND e.kind = $2`, late.Order.ID, shop.EventOrderLate).Scan(&ev.site, &ev.advisor, &ev.lateSince); err != nil {
		t.Fatalf("late event: %v", err)
	}
	if ev.site != int64(f.Site.ID) || ev.advisor != int64(f.Advisor.ID) || !ev.lateSince.Equal(now.Add(-time.Hour)) {
		t.Fatalf("late event site=%d advisor=%d late_since=%v, want %d, %d, %v", ev.site, ev.advisor, ev.lateSince, f.Site.ID, f.Advisor.ID, now.Add(-time.Hour))
	}
}
