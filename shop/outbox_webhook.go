package shop

import (
	"io"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// The IDs of the outbox's records (see id.go).
type (
	MessageID         int64
	WebhookEndpointID int64
	WebhookDeliveryID int64
	ApprovalLinkID    int64
)

// Type names of the outbox's records in global IDs.
const (
	TypeMessage         = "OutboxMessage"
	TypeWebhookEndpoint = "WebhookEndpoint"
	TypeWebhookDelivery = "WebhookDelivery"
)

func (id MessageID) MarshalGQL(w io.Writer)         { marshalID(w, TypeMessage, int64(id)) }
func (id WebhookEndpointID) MarshalGQL(w io.Writer) { marshalID(w, TypeWebhookEndpoint, int64(id)) }
func (id WebhookDeliveryID) MarshalGQL(w io.Writer) { marshalID(w, TypeWebhookDelivery, int64(id)) }

func (id *MessageID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeMessage)
	*id = MessageID(n)
	return err
}
func (id *WebhookEndpointID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeWebhookEndpoint)
	*id = WebhookEndpointID(n)
	return err
}
func (id *WebhookDeliveryID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeWebhookDelivery)
	*id = WebhookDeliveryID(n)
	return err
}

// WebhookEndpoint is a URL a service manager registered: it gets every
// message to the site's customers (Messages) and the events of the chosen
// kinds, signed with its secret (Standard Webhooks).
type WebhookEndpoint struct {
	ID          WebhookEndpointID
	SiteID      SiteID
	URL         string
	Description string
	Secret      string // "whsec_" + base64 of 32 random bytes
	Messages    bool
	EventKinds  []EventKind
	CreatedBy   UserID
	CreatedAt   time.Time
	DisabledAt  *time.Time
}

// WebhookDelivery is one payload for one endpoint, posted until it is
// acknowledged with a 2xx. Its webhook-id (WebhookMessageID) is the same on
// every attempt, so a receiver dedupes retries by it.
type WebhookDelivery struct {
	ID            WebhookDeliveryID
	SiteID        SiteID
	EndpointID    WebhookEndpointID
	MessageID     *MessageID
	EventID       *EventID
	Type          string
	Payload       []byte
	Attempts      int
	NextAttemptAt time.Time
	LeasedUntil   *time.Time
	DeliveredAt   *time.Time
	LastStatus    *int
	LastError     string
	CreatedAt     time.Time
}

// WebhookMessageID is the delivery's webhook-id header.
func (d *WebhookDelivery) WebhookMessageID() string {
	return "msg_" + GlobalID(TypeWebhookDelivery, int64(d.ID))
}

// WebhookAttempt is one POST of a delivery and its answer: the delivery log.
type WebhookAttempt struct {
	DeliveryID WebhookDeliveryID
	At         time.Time
	Status     *int // the HTTP status, nil when no answer came
	Error      string
	DurationMS int
}

// Webhook payload types (the "type" of Standard Webhooks' payload).
const (
	WebhookTypeMessage = "message.created"
	WebhookTypeEvent   = "event."
)

// WebhookEndpointInput is what a manager registers.
type WebhookEndpointInput struct {
	URL         string
	Description string
	Messages    bool
	EventKinds  []EventKind
	// Addrs are what the URL's host resolved to when it was registered
	// (none when it did not resolve); AllowPrivate lets them be private
	// (see CheckWebhookHost).
	Addrs        []netip.Addr
	AllowPrivate bool
}

// MayManageWebhooks returns FORBIDDEN unless a manages the site's webhooks:
// a service manager or an administrator of the site (endpoints receive
// customers' names and phone numbers). Errors: UNAUTHENTICATED, NOT_FOUND
// (another site), FORBIDDEN.
func MayManageWebhooks(a *Actor, site SiteID) error {
	if err := Authorize(a, site, ActRead); err != nil {
		return err
	}
	if a.Role != RoleServiceManager && a.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "Only a service manager may manage webhooks: they receive customers' names and phone numbers.")
	}
	return nil
}

// NewWebhookEndpoint decides a manager's registration of an endpoint for
// site: an absolute http(s) URL without credentials (https only in
// production, where the payloads cross networks), on a public address
// unless in.AllowPrivate (CheckWebhookHost), at least one thing to
// receive, known event kinds without repeats. secret is the fresh signing
// secret (the caller draws it). Errors: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID (with the field).
func NewWebhookEndpoint(site SiteID, in WebhookEndpointInput, secret string, production bool, by *Actor, now time.Time) (WebhookEndpoint, error) {
	if err := MayManageWebhooks(by, site); err != nil {
		return WebhookEndpoint{}, err
	}
	raw := strings.TrimSpace(in.URL)
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2000 || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return WebhookEndpoint{}, FieldErrorf("url", "Give the endpoint's full address, e.g. https://sms.example.com/bayboard.")
	}
	if u.User != nil {
		return WebhookEndpoint{}, FieldErrorf("url", "Put no user name or password in the address: the signature proves the sender.")
	}
	if production && u.Scheme != "https" {
		return WebhookEndpoint{}, FieldErrorf("url", "Use an https address: payloads carry customers' names and phone numbers.")
	}
	if err := CheckWebhookHost(u.Hostname(), in.Addrs, in.AllowPrivate); err != nil {
		return WebhookEndpoint{}, err
	}
	desc, err := CheckText("description", in.Description, false, MaxShortText)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	seen := map[EventKind]bool{}
	for _, k := range in.EventKinds {
		if !knownEventKindShape(k) {
			return WebhookEndpoint{}, FieldErrorf("eventKinds", "Unknown event kind %q.", k)
		}
		if seen[k] {
			return WebhookEndpoint{}, FieldErrorf("eventKinds", "Event kind %s is listed twice.", k)
		}
		seen[k] = true
	}
	if !in.Messages && len(in.EventKinds) == 0 {
		return WebhookEndpoint{}, FieldErrorf("eventKinds", "Choose what the endpoint receives: messages, event kinds or both.")
	}
	if !strings.HasPrefix(secret, "whsec_") {
		return WebhookEndpoint{}, Errorf(EINTERNAL, "The signing secret could not be made.")
	}
	return WebhookEndpoint{SiteID: site, URL: u.String(), Description: desc, Secret: secret, Messages: in.Messages,
		EventKinds: in.EventKinds, CreatedBy: by.UserID, CreatedAt: now}, nil
}

// DisableWebhookEndpoint decides a manager's turning off of endpoint e:
// nothing more is posted to it, pending deliveries included. Errors:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION (already off).
func DisableWebhookEndpoint(e WebhookEndpoint, by *Actor, now time.Time) (WebhookEndpoint, error) {
	if err := MayManageWebhooks(by, e.SiteID); err != nil {
		return e, err
	}
	if e.DisabledAt != nil {
		return e, Errorf(EINVALIDTRANSITION, "This webhook endpoint is already disabled.")
	}
	e.DisabledAt = &now
	return e, nil
}

// Takes reports whether endpoint e receives events of kind k.
func (e *WebhookEndpoint) Takes(k EventKind) bool {
	for _, x := range e.EventKinds {
		if x == k {
			return true
		}
	}
	return false
}

// TakesEvent reports whether endpoint e gets a delivery of event ev: it is
// enabled, of ev's site, chose ev's kind, and was registered by the time ev
// happened (an endpoint is not sent the history before it).
func (e *WebhookEndpoint) TakesEvent(ev *Event) bool {
	return e.DisabledAt == nil && e.SiteID == ev.SiteID && !e.CreatedAt.After(ev.At) && e.Takes(ev.Kind)
}

// Webhook retry schedule: the first retry after WebhookFirstRetry, each next
// one twice as late, never more than WebhookMaxRetryDelay apart. An endpoint
// that is down for a day gets a try every 6 hours, and its messages when it
// comes back; nothing is dropped.
const (
	WebhookFirstRetry    = 5 * time.Second
	WebhookMaxRetryDelay = 6 * time.Hour
)

// WebhookOutcome is what one attempt's answer means for its delivery.
type WebhookOutcome struct {
	Delivered bool
	Next      time.Time // when to try again, if not delivered
}

// WebhookAttemptOutcome decides what an attempt means: a 2xx acknowledges
// the delivery; anything else (another status, no answer, a timeout) means a
// retry after the delay of WebhookRetryDelay for the attempts made so far
// (this one included). status is nil when no answer came.
func WebhookAttemptOutcome(status *int, attempts int, now time.Time) WebhookOutcome {
	if status != nil && *status >= 200 && *status < 300 {
		return WebhookOutcome{Delivered: true}
	}
	return WebhookOutcome{Next: now.Add(WebhookRetryDelay(attempts))}
}

// WebhookRetryDelay is how long to wait after the n-th failed attempt (n >= 1):
// 5 s, 10 s, 20 s, … doubling up to 6 h.
func WebhookRetryDelay(n int) time.Duration {
	d := WebhookFirstRetry
	for i := 1; i < n && d < WebhookMaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, WebhookMaxRetryDelay)
}

// knownEventKindShape reports whether k is written as an event kind is
// (SCREAMING_SNAKE, short). The API's EventKind enum names the real ones;
// this keeps junk out of the table when called otherwise.
func knownEventKindShape(k EventKind) bool {
	if len(k) == 0 || len(k) > 64 || k[0] == '_' {
		return false
	}
	for _, r := range k {
		if (r < 'A' || r > 'Z') && r != '_' {
			return false
		}
	}
	return true
}
