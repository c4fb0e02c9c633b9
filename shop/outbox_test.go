package shop_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

func TestCheckTemplate(t *testing.T) {
	for _, tc := range []struct {
		name, kind, locale, body string
		wantField                string
	}{
		{"OK", "CAR_READY", "en", "Your {plate} is ready at {site}.", ""},
		{"OKApprovalWithLink", "APPROVAL_REQUEST", "zh", "请确认：{link}", ""},
		{"ErrInvalidKind", "POSTCARD", "en", "Hi", "kind"},
		{"ErrInvalidLocale", "CAR_READY", "fr", "Bonjour", "locale"},
		{"ErrInvalidEmpty", "CAR_READY", "en", "  ", "body"},
		{"ErrInvalidPlaceholder", "CAR_READY", "en", "Hi {name}", "body"},
		{"ErrInvalidUnclosed", "CAR_READY", "en", "Hi {customer", "body"},
		{"ErrInvalidApprovalWithoutLink", "APPROVAL_REQUEST", "en", "Please call us.", "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := shop.CheckTemplate(shop.MessageKind(tc.kind), tc.locale, tc.body)
			if got := errField(err); got != tc.wantField || (tc.wantField != "" && shop.ErrorCode(err) != shop.EINVALID) {
				t.Fatalf("field=%q code=%s, want %q (err %v)", got, shop.ErrorCode(err), tc.wantField, err)
			}
		})
	}
}

func errField(err error) string {
	if e, ok := err.(*shop.Error); ok {
		return e.Field
	}
	return ""
}

func TestDefaultTemplatesAreValid(t *testing.T) {
	for _, k := range shop.MessageKinds {
		for _, l := range []string{shop.LocaleZh, shop.LocaleEn} {
			t.Run(string(k)+"/"+l, func(t *testing.T) {
				if _, err := shop.CheckTemplate(k, l, shop.DefaultTemplate(k, l)); err != nil {
					t.Fatalf("err=%v, want the built-in template valid", err)
				}
			})
		}
	}
}

func TestComposeMessage(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC)
	f := shop.MessageFacts{Customer: "李先生", Plate: "粤B12345", Order: "RO261204001", Site: "深圳福田店",
		Link: "https://bb.example/approve/tok", When: time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC), Location: sh}
	for _, tc := range []struct {
		name, kind, locale, custom, phone string
		wantCode                          string
		wantIn                            []string
	}{
		{name: "OK", kind: "APPROVAL_REQUEST", locale: "zh", phone: "13800138000",
			wantIn: []string{"李先生", "粤B12345", "RO261204001", "https://bb.example/approve/tok"}},
		{name: "OKEnglish", kind: "CAR_READY", locale: "en", phone: "13800138000", wantIn: []string{"is ready", "深圳福田店"}},
		{name: "OKLocalTime", kind: "APPOINTMENT_REMINDER", locale: "en", phone: "13800138000", wantIn: []string{"2026-12-04 at 09:00"}},
		{name: "OKCustomTemplate", kind: "CAR_READY", locale: "en", custom: "Ready: {plate}.", phone: "13800138000", wantIn: []string{"Ready: 粤B12345."}},
		{name: "OKNoPhone", kind: "CAR_READY", locale: "en", phone: "", wantIn: []string{"李先生"}},
		{name: "ErrInvalidLocale", kind: "CAR_READY", locale: "de", phone: "13800138000", wantCode: shop.EINVALID},
		{name: "ErrInvalidKind", kind: "FAX", locale: "en", phone: "13800138000", wantCode: shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := shop.ComposeMessage(1, shop.MessageKind(tc.kind), tc.locale, tc.custom, f, tc.phone, "k", now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%q, want %q (err %v)", got, tc.wantCode, err)
			}
			for _, s := range tc.wantIn {
				if !strings.Contains(m.Body, s) {
					t.Fatalf("body=%q, want it to contain %q", m.Body, s)
				}
			}
			if err == nil && (m.DedupeKey != "k" || m.Phone != tc.phone || !m.CreatedAt.Equal(now) || strings.Contains(m.Body, "{")) {
				t.Fatalf("message=%+v, want key k, the phone, now and no placeholder left", m)
			}
		})
	}
}

func TestMessageForEvent(t *testing.T) {
	if k, ok := shop.MessageForEvent(shop.EventOrderReady); !ok || k != shop.MessageCarReady {
		t.Fatalf("kind=%q ok=%v, want CAR_READY for ORDER_READY", k, ok)
	}
	if k, ok := shop.MessageForEvent(shop.EventJobStarted); ok {
		t.Fatalf("kind=%q, want no message for JOB_STARTED", k)
	}
}

func TestNewWebhookEndpoint(t *testing.T) {
	now := time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC)
	mgr := &shop.Actor{UserID: 5, Role: shop.RoleServiceManager, SiteIDs: []shop.SiteID{1}}
	adv := &shop.Actor{UserID: 6, Role: shop.RoleAdvisor, SiteIDs: []shop.SiteID{1}}
	other := &shop.Actor{UserID: 7, Role: shop.RoleServiceManager, SiteIDs: []shop.SiteID{2}}
	ok := shop.WebhookEndpointInput{URL: "https://sms.example.com/hook", Messages: true}
	for _, tc := range []struct {
		name       string
		in         shop.WebhookEndpointInput
		by         *shop.Actor
		production bool
		wantCode   string
	}{
		{name: "OK", in: ok, by: mgr},
		{name: "OKEventsOnly", in: shop.WebhookEndpointInput{URL: "http://127.0.0.1:9/x", EventKinds: []shop.EventKind{shop.EventOrderReady}, AllowPrivate: true}, by: mgr},
		{name: "ErrInvalidLoopback", in: shop.WebhookEndpointInput{URL: "http://127.0.0.1:9/x", Messages: true}, by: mgr, wantCode: shop.EINVALID},
		{name: "ErrInvalidResolvesPrivate", in: shop.WebhookEndpointInput{URL: "https://gw.example.com/x", Messages: true,
			Addrs: []netip.Addr{netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("10.0.0.7")}}, by: mgr, wantCode: shop.EINVALID},
		{name: "ErrForbidden", in: ok, by: adv, wantCode: shop.EFORBIDDEN},
		{name: "ErrNotFoundOtherSite", in: ok, by: other, wantCode: shop.ENOTFOUND},
		{name: "ErrInvalidURL", in: shop.WebhookEndpointInput{URL: "sms.example.com", Messages: true}, by: mgr, wantCode: shop.EINVALID},
		{name: "ErrInvalidScheme", in: shop.WebhookEndpointInput{URL: "ftp://x.example/", Messages: true}, by: mgr, wantCode: shop.EINVALID},
		{name: "ErrInvalidCredentials", in: shop.WebhookEndpointInput{URL: "https://u:p@x.example/", Messages: true}, by: mgr, wantCode: shop.EINVALID},
		{name: "ErrInvalidHTTPInProduction", in: shop.WebhookEndpointInput{URL: "http://x.example/", Messages: true}, by: mgr, production: true, wantCode: shop.EINVALID},
		{name: "ErrInvalidNothingChosen", in: shop.WebhookEndpointInput{URL: "https://x.example/"}, by: mgr, wantCode: shop.EINVALID},
		{name: "ErrInvalidKindTwice", in: shop.WebhookEndpointInput{URL: "https://x.example/", EventKinds: []shop.EventKind{"ORDER_READY", "ORDER_READY"}}, by: mgr, wantCode: shop.EINVALID},
		{name: "ErrInvalidKind", in: shop.WebhookEndpointInput{URL: "https://x.example/", EventKinds: []shop.EventKind{"order ready"}}, by: mgr, wantCode: shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := shop.NewWebhookEndpoint(1, tc.in, "whsec_abc", tc.production, tc.by, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%q, want %q (err %v)", got, tc.wantCode, err)
			}
			if err == nil && (e.SiteID != 1 || e.Secret != "whsec_abc" || e.CreatedBy != tc.by.UserID || !e.CreatedAt.Equal(now)) {
				t.Fatalf("endpoint=%+v, want site 1, the secret, the manager and now", e)
			}
		})
	}
}

func TestDisableWebhookEndpoint(t *testing.T) {
	now := time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC)
	mgr := &shop.Actor{UserID: 5, Role: shop.RoleServiceManager, SiteIDs: []shop.SiteID{1}}
	e := shop.WebhookEndpoint{ID: 3, SiteID: 1}
	t.Run("OK", func(t *testing.T) {
		got, err := shop.DisableWebhookEndpoint(e, mgr, now)
		if err != nil || got.DisabledAt == nil || !got.DisabledAt.Equal(now) {
			t.Fatalf("disabledAt=%v err=%v, want now", got.DisabledAt, err)
		}
	})
	t.Run("ErrInvalidTransition", func(t *testing.T) {
		off := e
		off.DisabledAt = &now
		if _, err := shop.DisableWebhookEndpoint(off, mgr, now); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("code=%q, want INVALID_TRANSITION", shop.ErrorCode(err))
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		tech := &shop.Actor{UserID: 9, Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}}
		if _, err := shop.DisableWebhookEndpoint(e, tech, now); shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("code=%q, want FORBIDDEN", shop.ErrorCode(err))
		}
	})
}

func TestWebhookAttemptOutcome(t *testing.T) {
	now := time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		status    *int
		attempts  int
		delivered bool
		wantDelay time.Duration
	}{
		{name: "OK200", status: intp(200), attempts: 1, delivered: true},
		{name: "OK204", status: intp(204), attempts: 3, delivered: true},
		{name: "ErrNoAnswerFirst", attempts: 1, wantDelay: 5 * time.Second},
		{name: "Err500Second", status: intp(500), attempts: 2, wantDelay: 10 * time.Second},
		{name: "Err302Fourth", status: intp(302), attempts: 4, wantDelay: 40 * time.Second},
		{name: "ErrCapped", status: intp(503), attempts: 40, wantDelay: 6 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := shop.WebhookAttemptOutcome(tc.status, tc.attempts, now)
			if got.Delivered != tc.delivered {
				t.Fatalf("delivered=%v, want %v", got.Delivered, tc.delivered)
			}
			if !tc.delivered && got.Next.Sub(now) != tc.wantDelay {
				t.Fatalf("delay=%v, want %v", got.Next.Sub(now), tc.wantDelay)
			}
		})
	}
}

func TestNewApprovalLink(t *testing.T) {
	now := time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC)
	adv := &shop.Actor{UserID: 5, Role: shop.RoleAdvisor, SiteIDs: []shop.SiteID{1}}
	tech := &shop.Actor{UserID: 6, Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}}
	hash := make([]byte, 32)
	for _, tc := range []struct {
		name     string
		state    shop.OrderState
		pending  int
		by       *shop.Actor
		wantCode string
	}{
		{"OK", shop.OrderInWork, 1, adv, ""},
		{"ErrForbidden", shop.OrderInWork, 1, tech, shop.EFORBIDDEN},
		{"ErrInvalidTransitionDraft", shop.OrderDraft, 1, adv, shop.EINVALIDTRANSITION},
		{"ErrInvalidTransitionSettled", shop.OrderSettled, 1, adv, shop.EINVALIDTRANSITION},
		{"ErrInvalidNothingPending", shop.OrderInWork, 0, adv, shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &shop.Order{ID: 7, SiteID: 1, Number: "RO1", State: tc.state}
			l, err := shop.NewApprovalLink(o, tc.pending, hash, tc.by, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%q, want %q (err %v)", got, tc.wantCode, err)
			}
			if err == nil && (!l.ExpiresAt.Equal(now.Add(72*time.Hour)) || l.OrderID != 7) {
				t.Fatalf("expires=%v order=%d, want 72 h on and order 7", l.ExpiresAt, l.OrderID)
			}
		})
	}
}

func TestCheckApprovalLink(t *testing.T) {
	now := time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC)
	live := &shop.ApprovalLink{ExpiresAt: now.Add(time.Hour)}
	revoked := &shop.ApprovalLink{ExpiresAt: now.Add(time.Hour), RevokedAt: &now}
	expired := &shop.ApprovalLink{ExpiresAt: now}
	for _, tc := range []struct {
		name     string
		l        *shop.ApprovalLink
		wantCode string
	}{
		{"OK", live, ""}, {"ErrNotFoundRevoked", revoked, shop.ENOTFOUND}, {"ErrNotFoundExpired", expired, shop.ENOTFOUND}, {"ErrNotFoundNil", nil, shop.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.ErrorCode(shop.CheckApprovalLink(tc.l, now)); got != tc.wantCode {
				t.Fatalf("code=%q, want %q", got, tc.wantCode)
			}
		})
	}
}

// TestWebhookEndpointTakesEvent: an endpoint gets the events of its site and
// kinds that happened once it was registered, while it is enabled.
func TestWebhookEndpointTakesEvent(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	ev := &shop.Event{SiteID: 1, Kind: shop.EventJobProgress, At: at}
	disabled := at.Add(time.Hour)
	for _, tc := range []struct {
		name string
		ep   shop.WebhookEndpoint
		want bool
	}{
		{"OK", shop.WebhookEndpoint{SiteID: 1, EventKinds: []shop.EventKind{shop.EventOrderSettled, shop.EventJobProgress}, CreatedAt: at.Add(-time.Minute)}, true},
		{"OKRegisteredAtTheEvent", shop.WebhookEndpoint{SiteID: 1, EventKinds: []shop.EventKind{shop.EventJobProgress}, CreatedAt: at}, true},
		{"OtherKind", shop.WebhookEndpoint{SiteID: 1, EventKinds: []shop.EventKind{shop.EventOrderSettled}, CreatedAt: at.Add(-time.Minute)}, false},
		{"MessagesOnly", shop.WebhookEndpoint{SiteID: 1, Messages: true, CreatedAt: at.Add(-time.Minute)}, false},
		{"OtherSite", shop.WebhookEndpoint{SiteID: 2, EventKinds: []shop.EventKind{shop.EventJobProgress}, CreatedAt: at.Add(-time.Minute)}, false},
		{"RegisteredAfter", shop.WebhookEndpoint{SiteID: 1, EventKinds: []shop.EventKind{shop.EventJobProgress}, CreatedAt: at.Add(time.Second)}, false},
		{"Disabled", shop.WebhookEndpoint{SiteID: 1, EventKinds: []shop.EventKind{shop.EventJobProgress}, CreatedAt: at.Add(-time.Minute), DisabledAt: &disabled}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.ep.TakesEvent(ev); got != tc.want {
				t.Fatalf("TakesEvent=%v, want %v", got, tc.want)
			}
		})
	}
}
