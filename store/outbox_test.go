package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// messages returns the site's outbox, oldest first.
func messages(t *testing.T, db *store.DB, ctx context.Context, site shop.SiteID) []*shop.Message {
	t.Helper()
	ms, err := db.FindMessages(ctx, store.MessageFilter{SiteID: site})
	if err != nil {
		t.Fatalf("messages: %v", err)
	}
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	return ms
}

// TestOutboxCarReady: the change that makes a car ready writes its customer's
// message in its own transaction, once; a change that fails writes none.
func TestOutboxCarReady(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv := storetest.Ctx(f.Advisor)
	t.Run("OK", func(t *testing.T) {
		car := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1})
		ms := messages(t, db, adv, f.Site.ID)
		if len(ms) != 1 || ms[0].Kind != shop.MessageCarReady || ms[0].OrderID == nil || *ms[0].OrderID != car.Order.ID {
			t.Fatalf("messages=%+v, want one CAR_READY for order %d", ms, car.Order.ID)
		}
		m := ms[0]
		if m.Locale != "zh" || m.Phone != "13800138000" || !strings.Contains(m.Body, "黄先生") || !strings.Contains(m.Body, car.Order.Number) ||
			m.DispatchedAt != nil || m.CreatedBy == nil {
			t.Fatalf("message=%+v, want zh to 13800138000 naming the customer and the order, not yet dispatched", m)
		}
	})
	t.Run("ErrForbiddenBoardReadsNoMessages", func(t *testing.T) {
		if _, err := db.FindMessages(storetest.Ctx(f.Board), store.MessageFilter{SiteID: f.Site.ID}); shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("code=%q, want FORBIDDEN", shop.ErrorCode(err))
		}
	})
	t.Run("ErrInvalidFailedChangeWritesNone", func(t *testing.T) {
		before := storetest.Count(t, db, "outbox_messages")
		car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
		if _, err := db.SendApprovalLink(adv, store.SendApprovalLinkInput{OrderID: car.Order.ID}); shop.ErrorCode(err) != shop.EINVALID {
			t.Fatalf("code=%q, want INVALID (nothing waits for an answer)", shop.ErrorCode(err))
		}
		if n := storetest.Count(t, db, "outbox_messages"); n != before {
			t.Fatalf("messages=%d, want %d", n, before)
		}
	})
}

// TestSendApprovalLink: the link and the approval request carrying it are
// written together; the token is shown once and kept only as its hash.
func TestSendApprovalLink(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	db.PublicURL = "https://bb.example/"
	f := storetest.MustFixture(t, db)
	adv := storetest.Ctx(f.Advisor)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	if _, err := db.RequestAdditionalWork(storetest.Ctx(f.Tech), store.RequestAdditionalWorkInput{OrderID: car.Order.ID,
		FoundOnJobID: &car.Jobs[0].ID, Description: "更换刹车片", Reason: "刹车片剩 2mm", LabourMinutes: 30, ExtraMinutes: 30, Safety: true}); err != nil {
		t.Fatalf("request: %v", err)
	}
	t.Run("ErrForbidden", func(t *testing.T) {
		if _, err := db.SendApprovalLink(storetest.Ctx(f.Tech), store.SendApprovalLinkInput{OrderID: car.Order.ID}); shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("code=%q, want FORBIDDEN", shop.ErrorCode(err))
		}
	})
	t.Run("ErrNotFoundOtherSite", func(t *testing.T) {
		if _, err := db.SendApprovalLink(storetest.Ctx(f.OtherAdvisor), store.SendApprovalLinkInput{OrderID: car.Order.ID}); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("code=%q, want NOT_FOUND", shop.ErrorCode(err))
		}
	})
	t.Run("OK", func(t *testing.T) {
		sent, err := db.SendApprovalLink(adv, store.SendApprovalLinkInput{OrderID: car.Order.ID})
		if err != nil {
			t.Fatalf("send: %v", err)
		}
		if !strings.HasPrefix(sent.URL, "https://bb.example/approve/bbl_") || !strings.Contains(sent.Message.Body, sent.URL) ||
			sent.Message.Link != sent.URL || sent.Message.Kind != shop.MessageApprovalRequest {
			t.Fatalf("url=%q message=%+v, want the link in an APPROVAL_REQUEST", sent.URL, sent.Message)
		}
		if got := sent.Link.ExpiresAt.Sub(sent.Link.CreatedAt); got != 72*time.Hour {
			t.Fatalf("lifetime=%v, want 72h", got)
		}
		token := strings.TrimPrefix(sent.URL, "https://bb.example/approve/")
		if n := storetest.Count(t, db, "approval_links WHERE hash = sha256(convert_to('"+token+"', 'UTF8'))"); n != 1 {
			t.Fatalf("links with the token's hash=%d, want 1", n)
		}
		if n := storetest.Count(t, db, "approval_links WHERE position(convert_to('"+token+"', 'UTF8') in hash) > 0"); n != 0 {
			t.Fatalf("links keeping the token itself=%d, want 0", n)
		}
	})
}

// TestMessageTemplates: a site's own wording replaces the built-in one, in
// the site's language; an empty body returns to the built-in one.
func TestMessageTemplates(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	mgr := storetest.Ctx(f.Manager)
	t.Run("ErrInvalidPlaceholder", func(t *testing.T) {
		_, err := db.SetMessageTemplate(mgr, store.SetMessageTemplateInput{SiteID: f.Site.ID, Kind: shop.MessageCarReady, Locale: "en", Body: "Hi {name}"})
		if shop.ErrorCode(err) != shop.EINVALID {
			t.Fatalf("code=%q, want INVALID", shop.ErrorCode(err))
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := db.SetMessageTemplate(storetest.Ctx(f.Tech), store.SetMessageTemplateInput{SiteID: f.Site.ID, Kind: shop.MessageCarReady, Locale: "en", Body: "Ready."})
		if shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("code=%q, want FORBIDDEN", shop.ErrorCode(err))
		}
	})
	t.Run("OK", func(t *testing.T) {
		if err := db.SetMessageLocale(mgr, f.Site.ID, "en"); err != nil {
			t.Fatalf("locale: %v", err)
		}
		if _, err := db.SetMessageTemplate(mgr, store.SetMessageTemplateInput{SiteID: f.Site.ID, Kind: shop.MessageCarReady, Locale: "en",
			Body: "{plate} is ready at {site}."}); err != nil {
			t.Fatalf("template: %v", err)
		}
		car := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1})
		ms := messages(t, db, mgr, f.Site.ID)
		if len(ms) != 1 || ms[0].Locale != "en" || !strings.HasSuffix(ms[0].Body, " is ready at 深圳福田店.") || !strings.HasPrefix(ms[0].Body, "粤B") {
			t.Fatalf("messages=%+v, want the site's English wording", ms)
		}
		_ = car
		body, custom, err := db.MessageTemplate(mgr, f.Site.ID, shop.MessageCarReady, "en")
		if err != nil || !custom || body != "{plate} is ready at {site}." {
			t.Fatalf("template=%q custom=%v err=%v, want the site's own", body, custom, err)
		}
		if _, err := db.SetMessageTemplate(mgr, store.SetMessageTemplateInput{SiteID: f.Site.ID, Kind: shop.MessageCarReady, Locale: "en"}); err != nil {
			t.Fatalf("reset: %v", err)
		}
		if _, custom, _ := db.MessageTemplate(mgr, f.Site.ID, shop.MessageCarReady, "en"); custom {
			t.Fatalf("custom=true after reset, want the built-in wording")
		}
	})
}

// TestQueueReminderMessages: the day before a booked appointment (local
// day), its customer gets one reminder however often the clock passes.
func TestQueueReminderMessages(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv := storetest.Ctx(f.Advisor)
	var mu sync.Mutex
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) // 10:00 on the 3rd in Shenzhen
	db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	if _, err := db.BookAppointment(adv, store.BookAppointmentInput{SiteID: f.Site.ID,
		Customer: &store.NewCustomerInput{Name: "钱女士", Phone: "13900139000"}, Vehicle: &store.NewVehicleInput{Plate: "粤B77777", Make: "本田", Model: "雅阁"},
		ScheduledAt: time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC), RequestedWork: "保养"}); err != nil {
		t.Fatalf("book: %v", err)
	}
	t.Run("OKNotYet", func(t *testing.T) {
		if n, err := db.QueueReminderMessages(context.Background()); err != nil || n != 0 {
			t.Fatalf("queued=%d err=%v two days before, want 0", n, err)
		}
	})
	t.Run("OKDayBefore", func(t *testing.T) {
		mu.Lock()
		now = now.Add(24 * time.Hour)
		mu.Unlock()
		for i := range 3 {
			n, err := db.QueueReminderMessages(context.Background())
			if want := map[bool]int{true: 1, false: 0}[i == 0]; err != nil || n != want {
				t.Fatalf("pass %d: queued=%d err=%v, want %d", i, n, err, want)
			}
		}
		ms := messages(t, db, adv, f.Site.ID)
		if len(ms) != 1 || ms[0].Kind != shop.MessageAppointmentReminder || !strings.Contains(ms[0].Body, "2026-12-05 09:00") {
			t.Fatalf("messages=%+v, want one reminder naming 2026-12-05 09:00", ms)
		}
	})
}

// TestFanOutEvents: a pass makes a delivery of each event for every enabled
// endpoint of its site that chose its kind and was registered before it, in
// the same few statements however many events it reads, and moves past
// them; with no endpoint taking events it only moves the cursor.
func TestFanOutEvents(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	now := time.Now().UTC()
	db.Now = func() time.Time { return now }
	f := storetest.MustFixture(t, db)
	mgr := storetest.Ctx(f.Manager)
	ctx := context.Background()
	endpoint := func(kinds ...shop.EventKind) *shop.WebhookEndpoint {
		t.Helper()
		ep, err := db.CreateWebhookEndpoint(mgr, store.CreateWebhookEndpointInput{SiteID: f.Site.ID,
			URL: "https://sms.example.com/hook", EventKinds: kinds})
		if err != nil {
			t.Fatalf("register endpoint: %v", err)
		}
		return ep
	}
	deliveries := func(ep *shop.WebhookEndpoint) int {
		t.Helper()
		ds, err := db.FindWebhookDeliveries(mgr, store.DeliveryFilter{EndpointID: ep.ID})
		if err != nil {
			t.Fatalf("deliveries: %v", err)
		}
		return len(ds)
	}
	pass := func() (made int, statements int64) {
		t.Helper()
		if _, err := db.SequenceEvents(ctx); err != nil {
			t.Fatalf("sequence: %v", err)
		}
		before := db.Statements()
		made, err := db.FanOutEvents(ctx, 1000)
		if err != nil {
			t.Fatalf("fan out: %v", err)
		}
		return made, db.Statements() - before
	}

	t.Run("OKNoEndpoint", func(t *testing.T) {
		f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 2})
		if made, stmts := pass(); made != 0 || stmts != 3 {
			t.Fatalf("deliveries=%d statements=%d, want 0 and 3 (lock the cursor, read the endpoints, move the cursor)", made, stmts)
		}
	})
	t.Run("OK", func(t *testing.T) {
		now = now.Add(time.Minute)
		ready := endpoint(shop.EventOrderReady)
		off := endpoint(shop.EventOrderReady)
		if _, err := db.DisableWebhookEndpoint(mgr, off.ID); err != nil {
			t.Fatalf("disable: %v", err)
		}
		now = now.Add(time.Minute)
		f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 2})
		f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1})
		f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
		now = now.Add(time.Minute)
		late := endpoint(shop.EventOrderReady)
		made, stmts := pass()
		if made != 2 || stmts != 5 {
			t.Fatalf("deliveries=%d statements=%d, want 2 (one per car made ready) and 5", made, stmts)
		}
		if got := []int{deliveries(ready), deliveries(off), deliveries(late)}; got[0] != 2 || got[1] != 0 || got[2] != 0 {
			t.Fatalf("deliveries=%v, want [2 0 0] (the disabled endpoint and the one registered after the events get none)", got)
		}
		if made, _ := pass(); made != 0 {
			t.Fatalf("deliveries=%d on the next pass, want 0 (the cursor moved past them)", made)
		}
	})
}
