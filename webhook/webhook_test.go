package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
	"bayboard/webhook"
)

// behaviour is how the receiver answers one request.
type behaviour int

const (
	answerOK  behaviour = iota
	cutOff              // closes the connection without an answer
	hang                // answers nothing until the client gives up
	answer500           // 500 Internal Server Error
)

// receiver is a real HTTP endpoint in the test process: it checks every
// signature, keeps each webhook-id's body once (it dedupes, as the Standard
// Webhooks spec asks receivers to) and counts every request.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	secret string
	now    func() time.Time
	script []behaviour // answers of the next requests, then OK
	raw    map[string]int
	got    map[string][]byte
	bad    int
	// entered gets a value when a request hangs, so the test knows a POST
	// is in flight.
	entered chan string
}

func newReceiver(t *testing.T, now func() time.Time) (*receiver, *httptest.Server) {
	r := &receiver{t: t, now: now, raw: map[string]int{}, got: map[string][]byte{}, entered: make(chan string, 100)}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("webhook-id")
	r.mu.Lock()
	err := webhook.Verify(r.secret, req.Header, body, r.now(), 5*time.Minute)
	if err != nil {
		r.bad++
	}
	r.raw[id]++
	b := answerOK
	if len(r.script) > 0 {
		b, r.script = r.script[0], r.script[1:]
	}
	r.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	switch b {
	case cutOff:
		c, _, _ := w.(http.Hijacker).Hijack()
		c.Close()
		return
	case hang:
		r.entered <- id
		<-req.Context().Done()
		return
	case answer500:
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	r.mu.Lock()
	if _, dup := r.got[id]; !dup {
		r.got[id] = body
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) setScript(b ...behaviour) { r.mu.Lock(); r.script = b; r.mu.Unlock() }

// snapshot returns copies of the counts.
func (r *receiver) snapshot() (raw map[string]int, got map[string][]byte, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	raw, got = map[string]int{}, map[string][]byte{}
	for k, v := range r.raw {
		raw[k] = v
	}
	for k, v := range r.got {
		got[k] = v
	}
	return raw, got, r.bad
}

// clock is the test's clock, moved by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }
func quiet() *slog.Logger            { return slog.New(slog.DiscardHandler) }
func must(t *testing.T, err error, s string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
}

// pending counts the endpoint's deliveries not yet acknowledged.
func pending(t *testing.T, db *store.DB, ctx context.Context, ep shop.WebhookEndpointID) int {
	t.Helper()
	ds, err := db.FindWebhookDeliveries(ctx, store.DeliveryFilter{EndpointID: ep, Pending: true})
	must(t, err, "deliveries")
	return len(ds)
}

// setup makes a workshop with a receiver registered for messages and
// ORDER_READY events.
func setup(t *testing.T) (*store.DB, *storetest.Fixture, *clock, *receiver, *shop.WebhookEndpoint) {
	db := storetest.MustOpenDB(t)
	db.PublicURL = "https://bb.example"
	db.AllowPrivateWebhooks = true // the receiver listens on 127.0.0.1
	clk := &clock{now: time.Now().UTC()}
	db.Now = clk.Now
	f := storetest.MustFixture(t, db)
	rcv, srv := newReceiver(t, clk.Now)
	ep, err := db.CreateWebhookEndpoint(storetest.Ctx(f.Manager), store.CreateWebhookEndpointInput{SiteID: f.Site.ID,
		URL: srv.URL + "/hook", Messages: true, EventKinds: []shop.EventKind{shop.EventOrderReady}})
	must(t, err, "register endpoint")
	rcv.mu.Lock()
	rcv.secret = ep.Secret
	rcv.mu.Unlock()
	return db, f, clk, rcv, ep
}

// TestWebhookDelivery: a receiver that cuts the connection, times out and
// answers 500 gets every message and event once it answers 2xx, each
// posted again after its backoff with the same webhook-id and a valid
// signature; the delivery log keeps every attempt.
func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	db, f, clk, rcv, ep := setup(t)
	mgr := storetest.Ctx(f.Manager)
	ctx := context.Background()

	car := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1}) // a CAR_READY message and an ORDER_READY event
	other := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	_, err := db.RequestAdditionalWork(storetest.Ctx(f.Tech), store.RequestAdditionalWorkInput{OrderID: other.Order.ID,
		FoundOnJobID: &other.Jobs[0].ID, Description: "更换雨刮", Reason: "雨刮老化", LabourMinutes: 10, ExtraMinutes: 10})
	must(t, err, "request")
	sent, err := db.SendApprovalLink(storetest.Ctx(f.Advisor), store.SendApprovalLinkInput{OrderID: other.Order.ID})
	must(t, err, "send link")
	_, err = db.SequenceEvents(ctx) // the hub's sequencer gives the events their positions
	must(t, err, "sequence")

	w := webhook.New(db, quiet(), webhook.Options{Workers: 1, Timeout: 200 * time.Millisecond, AllowPrivate: true})
	rcv.setScript(cutOff, hang, answer500)
	must(t, w.Pass(ctx), "pass 1")
	if got := w.Stats.Messages.Load(); got != 2 {
		t.Fatalf("messages to the log sender=%d, want 2 (car ready, approval request)", got)
	}
	if a, d := w.Stats.Attempts.Load(), w.Stats.Delivered.Load(); a != 3 || d != 0 {
		t.Fatalf("attempts=%d delivered=%d, want 3 and 0 (cut off, timed out, 500)", a, d)
	}
	if n := pending(t, db, mgr, ep.ID); n != 3 {
		t.Fatalf("pending=%d, want 3", n)
	}
	must(t, w.Pass(ctx), "pass before the backoff")
	if a := w.Stats.Attempts.Load(); a != 3 {
		t.Fatalf("attempts=%d before the backoff, want 3 (nothing due)", a)
	}
	clk.Add(shop.WebhookRetryDelay(1))
	must(t, w.Pass(ctx), "pass 2")
	if a, d := w.Stats.Attempts.Load(), w.Stats.Delivered.Load(); a != 6 || d != 3 {
		t.Fatalf("attempts=%d delivered=%d, want 6 and 3", a, d)
	}
	if n := pending(t, db, mgr, ep.ID); n != 0 {
		t.Fatalf("pending=%d, want 0", n)
	}
	must(t, w.Pass(ctx), "pass 3")
	raw, got, bad := rcv.snapshot()
	if bad != 0 || len(got) != 3 || len(raw) != 3 {
		t.Fatalf("bad signatures=%d distinct delivered=%d distinct posted=%d, want 0, 3, 3", bad, len(got), len(raw))
	}
	for id, n := range raw {
		if n != 2 {
			t.Fatalf("posts of %s=%d, want 2 (one failure, one success)", id, n)
		}
	}
	// What arrived: the approval request with its link, the car-ready
	// message and the ORDER_READY event of the ready car.
	kinds := map[string]string{}
	for _, b := range got {
		var p struct {
			Type string
			Data struct{ Kind, Link, Body, OrderID string }
		}
		must(t, json.Unmarshal(b, &p), "payload")
		kinds[p.Type+"/"+p.Data.Kind] = p.Data.Link
		if p.Data.Kind == "ORDER_READY" && p.Data.OrderID != shop.GlobalID(shop.TypeOrder, int64(car.Order.ID)) {
			t.Fatalf("event order=%q, want the ready car's", p.Data.OrderID)
		}
	}
	if kinds["message.created/APPROVAL_REQUEST"] != sent.URL {
		t.Fatalf("approval request link=%q, want %q (got %v)", kinds["message.created/APPROVAL_REQUEST"], sent.URL, kinds)
	}
	if _, ok := kinds["message.created/CAR_READY"]; !ok {
		t.Fatalf("kinds=%v, want a CAR_READY message", kinds)
	}
	if _, ok := kinds["event.ORDER_READY/ORDER_READY"]; !ok {
		t.Fatalf("kinds=%v, want the ORDER_READY event", kinds)
	}
	// The delivery log: two attempts each, the failure's reason kept.
	ds, err := db.FindWebhookDeliveries(mgr, store.DeliveryFilter{EndpointID: ep.ID})
	must(t, err, "deliveries")
	ids := make([]shop.WebhookDeliveryID, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
		if d.Attempts != 2 || d.DeliveredAt == nil || d.LastStatus == nil || *d.LastStatus != 204 {
			t.Fatalf("delivery=%+v, want 2 attempts, delivered, last status 204", d)
		}
	}
	log, err := db.WebhookAttemptsByDelivery(mgr, ids)
	must(t, err, "attempts")
	statuses := map[string]int{}
	for _, as := range log {
		if len(as) != 2 {
			t.Fatalf("attempts=%d, want 2", len(as))
		}
		first := "no answer"
		if as[0].Status != nil {
			first = http.StatusText(*as[0].Status)
		}
		statuses[first]++
		if as[0].Error == "" || as[1].Status == nil || *as[1].Status != 204 {
			t.Fatalf("log=%+v, want a failure with its reason, then 204", as)
		}
	}
	if statuses["no answer"] != 2 || statuses["Internal Server Error"] != 1 {
		t.Fatalf("first answers=%v, want 2 without an answer (cut off, timed out) and one 500", statuses)
	}
	t.Run("ErrForbiddenAdvisorReadsNoLog", func(t *testing.T) {
		_, err := db.FindWebhookDeliveries(storetest.Ctx(f.Advisor), store.DeliveryFilter{EndpointID: ep.ID})
		if shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("code=%q, want FORBIDDEN", shop.ErrorCode(err))
		}
	})
}

// TestWebhookRestart: a worker stopped in the middle of a POST (a restart,
// a deploy) loses nothing: the next worker posts the delivery again once
// the first one's lease has run out, and the receiver, deduping by
// webhook-id, has each message once. Mutations go on while an endpoint
// hangs.
func TestWebhookRestart(t *testing.T) {
	t.Parallel()
	db, f, clk, rcv, ep := setup(t)
	mgr := storetest.Ctx(f.Manager)
	f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1})

	rcv.setScript(hang)
	opts := webhook.Options{Workers: 1, Timeout: time.Hour, AllowPrivate: true} // only the stop ends the hanging POST
	first := webhook.New(db, quiet(), opts)
	ctx1, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- first.Pass(ctx1) }()
	id := <-rcv.entered
	// The endpoint hangs: a mutation is not held up by it, and its message
	// waits in the outbox.
	car2 := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1})
	stop()
	if err := <-done; err != nil {
		t.Fatalf("pass of the stopped worker: %v", err)
	}
	if a := first.Stats.Attempts.Load(); a != 0 {
		t.Fatalf("attempts recorded by the stopped worker=%d, want 0", a)
	}

	second := webhook.New(db, quiet(), opts)
	must(t, second.Pass(context.Background()), "pass while the lease holds")
	raw, _, _ := rcv.snapshot()
	if raw[id] != 1 {
		t.Fatalf("posts of %s=%d while the first worker's lease holds, want 1", id, raw[id])
	}
	clk.Add(2*time.Hour + time.Minute) // past the lease (twice the timeout and a margin)
	must(t, second.Pass(context.Background()), "pass after the lease")
	raw, got, bad := rcv.snapshot()
	if bad != 0 || raw[id] != 2 || len(got) != 2 {
		t.Fatalf("bad=%d posts of %s=%d distinct delivered=%d, want 0, 2 and 2 (both cars' messages)", bad, id, raw[id], len(got))
	}
	if n := pending(t, db, mgr, ep.ID); n != 0 {
		t.Fatalf("pending=%d, want 0", n)
	}
	ms, err := db.FindMessages(mgr, store.MessageFilter{SiteID: f.Site.ID, OrderID: &car2.Order.ID})
	must(t, err, "messages")
	if len(ms) != 1 || ms[0].DispatchedAt == nil {
		t.Fatalf("messages of the second car=%+v, want one, dispatched", ms)
	}
}

// TestWebhookTwoWorkers: two workers (two instances) passing at the same
// time never post the same delivery twice.
func TestWebhookTwoWorkers(t *testing.T) {
	t.Parallel()
	db, f, _, rcv, ep := setup(t)
	for range 3 {
		f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1})
	}
	_, err := db.SequenceEvents(context.Background())
	must(t, err, "sequence")
	a := webhook.New(db, quiet(), webhook.Options{Workers: 2, Batch: 2, AllowPrivate: true})
	b := webhook.New(db, quiet(), webhook.Options{Workers: 2, Batch: 2, AllowPrivate: true})
	for range 4 {
		var wg sync.WaitGroup
		for _, w := range []*webhook.Worker{a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); must(t, w.Pass(context.Background()), "pass") }()
		}
		wg.Wait()
	}
	raw, got, bad := rcv.snapshot()
	if bad != 0 || len(got) != 6 {
		t.Fatalf("bad=%d distinct delivered=%d, want 0 and 6 (3 messages, 3 events)", bad, len(got))
	}
	for id, n := range raw {
		if n != 1 {
			t.Fatalf("posts of %s=%d, want 1", id, n)
		}
	}
	if n := pending(t, db, storetest.Ctx(f.Manager), ep.ID); n != 0 {
		t.Fatalf("pending=%d, want 0", n)
	}
	if total := a.Stats.Attempts.Load() + b.Stats.Attempts.Load(); total != 6 {
		t.Fatalf("attempts=%d, want 6", total)
	}
}

func TestSignVerify(t *testing.T) {
	secret := webhook.NewSecret([]byte("0123456789abcdef0123456789abcdef"))
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"type":"message.created"}`)
	sig, err := webhook.Sign(secret, "msg_1", now.Unix(), body)
	must(t, err, "sign")
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", "1700000000")
	h.Set("webhook-signature", "v1,bm9wZQ== "+sig)
	for _, tc := range []struct {
		name string
		edit func(h http.Header) ([]byte, time.Time)
		ok   bool
	}{
		{"OK", func(h http.Header) ([]byte, time.Time) { return body, now }, true},
		{"ErrBodyChanged", func(h http.Header) ([]byte, time.Time) { return []byte(`{}`), now }, false},
		{"ErrOtherID", func(h http.Header) ([]byte, time.Time) { h.Set("webhook-id", "msg_2"); return body, now }, false},
		{"ErrTooOld", func(h http.Header) ([]byte, time.Time) { return body, now.Add(10 * time.Minute) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hh := h.Clone()
			b, at := tc.edit(hh)
			if err := webhook.Verify(secret, hh, b, at, 5*time.Minute); (err == nil) != tc.ok {
				t.Fatalf("err=%v, want ok=%v", err, tc.ok)
			}
		})
	}
	// The Standard Webhooks reference vector (its README and test suites).
	ref, err := webhook.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
		[]byte(`{"test": 2432232314}`))
	must(t, err, "sign reference")
	if ref != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Fatalf("signature=%q, want the reference vector's", ref)
	}
}

// TestWebhookRefusesPrivateAtDelivery: an endpoint registered while its
// address was allowed (or its name pointed elsewhere) is not posted to once
// it leads to a private address and the worker does not allow those: the
// attempt fails with the reason in the delivery log, the receiver gets
// nothing, and the delivery stays pending for a retry.
func TestWebhookRefusesPrivateAtDelivery(t *testing.T) {
	t.Parallel()
	db, f, _, rcv, ep := setup(t)
	ctx := context.Background()
	f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1})
	w := webhook.New(db, quiet(), webhook.Options{Workers: 1, Timeout: 2 * time.Second})
	must(t, w.Pass(ctx), "pass")
	if a, d, fl := w.Stats.Attempts.Load(), w.Stats.Delivered.Load(), w.Stats.Failed.Load(); a == 0 || d != 0 || fl != a {
		t.Fatalf("attempts=%d delivered=%d failed=%d, want every attempt refused", a, d, fl)
	}
	if raw, _, _ := rcv.snapshot(); len(raw) != 0 {
		t.Fatalf("receiver got %d posts, want none", len(raw))
	}
	ds, err := db.FindWebhookDeliveries(storetest.Ctx(f.Manager), store.DeliveryFilter{EndpointID: ep.ID, Pending: true})
	must(t, err, "deliveries")
	if len(ds) == 0 || ds[0].LastStatus != nil || !strings.Contains(ds[0].LastError, "private or local network address") {
		t.Fatalf("deliveries=%+v, want pending ones refused as private", ds)
	}
}

// TestCreateWebhookEndpointRefusesPrivate: registering is refused (INVALID on
// url) for a literal private address and for a name that resolves to one,
// unless the deployment allows private addresses.
func TestCreateWebhookEndpointRefusesPrivate(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	mgr := storetest.Ctx(f.Manager)
	db.LookupIP = func(_ context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "inside.example.com":
			return []netip.Addr{netip.MustParseAddr("10.0.0.8")}, nil
		case "sms.example.com":
			return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
		}
		return nil, errors.New("no such host")
	}
	create := func(url string) error {
		_, err := db.CreateWebhookEndpoint(mgr, store.CreateWebhookEndpointInput{SiteID: f.Site.ID, URL: url, Messages: true})
		return err
	}
	for _, tc := range []struct {
		name, url, want string
		allow           bool
	}{
		{name: "OK", url: "https://sms.example.com/hook"},
		{name: "OKAllowed", url: "http://127.0.0.1:9/hook", allow: true},
		{name: "OKAllowedResolvesPrivate", url: "https://inside.example.com/hook", allow: true},
		{name: "ErrInvalidLoopback", url: "http://127.0.0.1:9/hook", want: shop.EINVALID},
		{name: "ErrInvalidMetadata", url: "http://169.254.169.254/latest", want: shop.EINVALID},
		{name: "ErrInvalidResolvesPrivate", url: "https://inside.example.com/hook", want: shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db.AllowPrivateWebhooks = tc.allow
			err := create(tc.url)
			if got := shop.ErrorCode(err); got != tc.want {
				t.Fatalf("code=%q, want %q (err %v)", got, tc.want, err)
			}
			var se *shop.Error
			if err != nil && (!errors.As(err, &se) || se.Field != "url") {
				t.Fatalf("error=%v, want it on field url", err)
			}
		})
	}
	eps, err := db.FindWebhookEndpoints(mgr, f.Site.ID)
	must(t, err, "endpoints")
	if len(eps) != 3 {
		t.Fatalf("endpoints=%d, want 3 (the refused ones not saved)", len(eps))
	}
}
