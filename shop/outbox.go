package shop

import (
	"fmt"
	"strings"
	"time"
)

// MessageKind is what a message to a customer is about.
type MessageKind string

// The messages the service department sends its customers (issue 17).
const (
	MessageApprovalRequest     MessageKind = "APPROVAL_REQUEST"     // additional work to approve, with the link
	MessageCarReady            MessageKind = "CAR_READY"            // the car is ready for pick-up (the 1 h / 4 h rule)
	MessageAppointmentReminder MessageKind = "APPOINTMENT_REMINDER" // the day before an appointment
	MessageCallbackLetter      MessageKind = "CALLBACK_LETTER"      // the customer could not be reached for a callback
	MessageMaintenanceReminder MessageKind = "MAINTENANCE_REMINDER" // a planned service is coming (招揽)
)

// MessageKinds lists every kind of message, in display order.
var MessageKinds = []MessageKind{MessageApprovalRequest, MessageCarReady, MessageAppointmentReminder,
	MessageCallbackLetter, MessageMaintenanceReminder}

// Valid reports whether k is a known kind of message.
func (k MessageKind) Valid() bool {
	for _, x := range MessageKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Locales the messages are written in.
const (
	LocaleZh = "zh"
	LocaleEn = "en"
)

// ValidLocale reports whether l is a language messages can be written in.
func ValidLocale(l string) bool { return l == LocaleZh || l == LocaleEn }

// Message is one message to a customer in the outbox. It is written in the
// transaction of the change that causes it; the senders (the log, webhooks)
// pick it up after commit.
type Message struct {
	ID         MessageID
	SiteID     SiteID
	Kind       MessageKind
	OrderID    *OrderID
	CustomerID *CustomerID
	Recipient  string // the customer's name
	Phone      string
	Locale     string
	Body       string
	Link       string // the customer's approval link, for an approval request
	// DedupeKey names what caused the message (e.g. "CAR_READY:order:12"):
	// the outbox holds one message per key, so a rule that fires again
	// (another instance's pass, a retried change) sends nothing twice.
	DedupeKey    string
	CreatedBy    *UserID
	CreatedAt    time.Time
	DispatchedAt *time.Time
}

// MessageFacts are what a template may say. Only what the message needs:
// no history, no other car.
type MessageFacts struct {
	Customer string    // the customer's name
	Plate    string    // the car's plate
	Order    string    // the repair order's number
	Site     string    // the site's name
	Link     string    // the approval link
	When     time.Time // the appointment, the pick-up deadline, the service day
	Location *time.Location
}

// placeholders are the names a template may use, each in braces.
var placeholders = []string{"customer", "plate", "order", "site", "link", "date", "time"}

// defaultTemplates are the built-in wordings, per kind and language.
var defaultTemplates = map[MessageKind]map[string]string{
	MessageApprovalRequest: {
		LocaleZh: "{customer}您好，{site}在您的爱车{plate}（工单{order}）上发现需要增加的维修项目，请点击链接查看照片和报价并逐项确认：{link}（72小时内有效）",
		LocaleEn: "Hello {customer}, {site} found additional work on your car {plate} (order {order}). See the photos and prices and approve or decline each item: {link} (valid for 72 hours)",
	},
	MessageCarReady: {
		LocaleZh: "{customer}您好，您的爱车{plate}（工单{order}）已完工，可以来{site}取车了。",
		LocaleEn: "Hello {customer}, your car {plate} (order {order}) is ready: you can pick it up at {site}.",
	},
	MessageAppointmentReminder: {
		LocaleZh: "{customer}您好，提醒您明天{date} {time}在{site}的维修预约（{plate}）。如需改期请致电我们。",
		LocaleEn: "Hello {customer}, a reminder of your service appointment at {site} tomorrow, {date} at {time} ({plate}). Call us to change it.",
	},
	MessageCallbackLetter: {
		LocaleZh: "{customer}您好，感谢您选择{site}。我们多次致电未能联系到您，想了解您对爱车{plate}本次维修（工单{order}）是否满意，如有任何问题请随时联系我们。",
		LocaleEn: "Hello {customer}, thank you for choosing {site}. We could not reach you by phone: we would like to know whether you are happy with the work on {plate} (order {order}). Please contact us with any question.",
	},
	MessageMaintenanceReminder: {
		LocaleZh: "{customer}您好，您的爱车{plate}将于{date}到期保养，欢迎预约{site}。",
		LocaleEn: "Hello {customer}, your car {plate} is due for its service on {date}. Book an appointment with {site}.",
	},
}

// DefaultTemplate returns the built-in wording of kind in locale.
func DefaultTemplate(kind MessageKind, locale string) string {
	return defaultTemplates[kind][locale]
}

// CheckTemplate validates a site's own wording of kind in locale: a known kind
// and language, not empty, at most MaxLongText, braces only around known
// placeholders, and the link in an approval request (without it the customer
// cannot answer). Errors: INVALID (with the field).
func CheckTemplate(kind MessageKind, locale, body string) (string, error) {
	if !kind.Valid() {
		return "", FieldErrorf("kind", "Unknown kind of message %q.", kind)
	}
	if !ValidLocale(locale) {
		return "", FieldErrorf("locale", "Messages are written in zh or en, not %q.", locale)
	}
	body, err := CheckText("body", body, true, MaxLongText)
	if err != nil {
		return "", err
	}
	rest := body
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", FieldErrorf("body", "A brace is not closed: write placeholders as {customer}.")
		}
		name := rest[i+1 : i+j]
		known := false
		for _, p := range placeholders {
			known = known || p == name
		}
		if !known {
			return "", FieldErrorf("body", "Unknown placeholder {%s}: use %s.", name, "{"+strings.Join(placeholders, "}, {")+"}")
		}
		rest = rest[i+j+1:]
	}
	if kind == MessageApprovalRequest && !strings.Contains(body, "{link}") {
		return "", FieldErrorf("body", "An approval request must contain {link}: it is how the customer answers.")
	}
	return body, nil
}

// RenderMessage fills template tmpl with facts f. Dates and times are the
// site's local ones.
func RenderMessage(tmpl string, f MessageFacts) string {
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	date, clock := "", ""
	if !f.When.IsZero() {
		w := f.When.In(loc)
		date, clock = w.Format("2006-01-02"), w.Format("15:04")
	}
	return strings.NewReplacer("{customer}", f.Customer, "{plate}", f.Plate, "{order}", f.Order, "{site}", f.Site,
		"{link}", f.Link, "{date}", date, "{time}", clock).Replace(tmpl)
}

// ComposeMessage writes the message of kind to a customer in locale: the
// site's template when it has one (custom, non-empty), else the built-in
// one. dedupe names the cause (see Message.DedupeKey). A customer without a
// phone number still gets the message: the gateway behind a webhook may
// reach them otherwise (a letter, WeChat). Errors: INVALID for an unknown
// kind or locale.
func ComposeMessage(site SiteID, kind MessageKind, locale, custom string, f MessageFacts, phone, dedupe string, now time.Time) (Message, error) {
	if !kind.Valid() {
		return Message{}, FieldErrorf("kind", "Unknown kind of message %q.", kind)
	}
	if !ValidLocale(locale) {
		return Message{}, FieldErrorf("locale", "Messages are written in zh or en, not %q.", locale)
	}
	tmpl := custom
	if tmpl == "" {
		tmpl = DefaultTemplate(kind, locale)
	}
	return Message{SiteID: site, Kind: kind, Recipient: f.Customer, Phone: phone, Locale: locale,
		Body: RenderMessage(tmpl, f), Link: f.Link, DedupeKey: dedupe, CreatedAt: now}, nil
}

// MayReadMessages returns FORBIDDEN unless a reads the site's messages to
// customers: they carry names and phone numbers, so only roles that read
// personal data do. Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func MayReadMessages(a *Actor, site SiteID) error {
	return Authorize(a, site, ActReadPersonal)
}

// MessageForEvent returns the message an event causes, if any: a car ready
// tells its customer. (An approval request is sent by sendApprovalLink, a
// callback letter when a callback gives up on the phone, reminders by the
// clock: their causes are not one event kind alone.)
func MessageForEvent(kind EventKind) (MessageKind, bool) {
	if kind == EventOrderReady {
		return MessageCarReady, true
	}
	return "", false
}

// MessageDedupeKey returns the outbox key of kind caused by the record named
// by what and id (e.g. "order", 12): one message per cause.
func MessageDedupeKey(kind MessageKind, what string, id int64) string {
	return fmt.Sprintf("%s:%s:%d", kind, what, id)
}
