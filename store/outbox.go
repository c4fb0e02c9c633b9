package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"bayboard/shop"
)

// The outbox (issue 17): messages to customers are written in the
// transaction of the change that causes them (queueCausedMessages runs
// before a mutation commits; the clock's reminders are written with their
// dedupe key, once), and delivered after commit by the webhook worker:
// DispatchMessages hands them to the log and makes a delivery per endpoint,
// FanOutEvents makes deliveries of chosen events, ClaimWebhookDeliveries and
// RecordWebhookAttempt post them until acknowledged.

const messageColumns = `id, site_id, kind, order_id, customer_id, recipient, phone, locale, body, link, dedupe_key, created_by, created_at, dispatched_at`

// messageFacts are what a message about an order says, with where it goes.
type messageFacts struct {
	SiteID     shop.SiteID
	OrderID    shop.OrderID
	CustomerID shop.CustomerID
	Number     string
	Customer   string
	Phone      string
	Plate      string
	Site       string
	TimeZone   string
	Locale     string
}

// orderMessageFacts reads what a message about order id needs: its customer
// and car only (no history, no other car).
func orderMessageFacts(ctx context.Context, q sqlx.QueryerContext, id shop.OrderID) (*messageFacts, error) {
	var f messageFacts
	err := sqlx.GetContext(ctx, q, &f, `
		SELECT o.site_id, o.id AS order_id, c.id AS customer_id, o.number, c.name AS customer, c.phone, v.plate,
		       s.name AS site, s.time_zone, COALESCE(ms.locale, 'zh') AS locale
		FROM repair_orders o
		JOIN visits vi ON vi.id = o.visit_id
		JOIN customers c ON c.id = vi.customer_id
		JOIN vehicles v ON v.id = vi.vehicle_id
		JOIN sites s ON s.id = o.site_id
		LEFT JOIN message_settings ms ON ms.site_id = o.site_id
		WHERE o.id = $1`, id)
	return &f, err
}

// siteTemplate returns a site's own wording of kind in locale ("" for the built-in one).
func siteTemplate(ctx context.Context, q sqlx.QueryerContext, site shop.SiteID, kind shop.MessageKind, locale string) (string, error) {
	var body []string
	err := sqlx.SelectContext(ctx, q, &body, `
		SELECT body FROM message_templates WHERE site_id = $1 AND kind = $2 AND locale = $3`, site, kind, locale)
	if err != nil || len(body) == 0 {
		return "", err
	}
	return body[0], nil
}

// location returns the named zone, UTC when unknown.
func location(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}

// composeOrderMessage writes message kind about an order (see shop.ComposeMessage).
func composeOrderMessage(ctx context.Context, q sqlx.QueryerContext, f *messageFacts, kind shop.MessageKind, link, dedupe string, when time.Time, now time.Time) (shop.Message, error) {
	custom, err := siteTemplate(ctx, q, f.SiteID, kind, f.Locale)
	if err != nil {
		return shop.Message{}, err
	}
	m, err := shop.ComposeMessage(f.SiteID, kind, f.Locale, custom, shop.MessageFacts{Customer: f.Customer, Plate: f.Plate,
		Order: f.Number, Site: f.Site, Link: link, When: when, Location: location(f.TimeZone)}, f.Phone, dedupe, now)
	if err != nil {
		return m, err
	}
	if f.OrderID != 0 {
		m.OrderID = &f.OrderID
	}
	if f.CustomerID != 0 {
		m.CustomerID = &f.CustomerID
	}
	return m, nil
}

// insertMessage adds m to the outbox unless a message with its dedupe key is
// there already; it reports whether it added it (and sets m.ID).
func insertMessage(ctx context.Context, q sqlx.QueryerContext, m *shop.Message) (bool, error) {
	var ids []shop.MessageID
	err := sqlx.SelectContext(ctx, q, &ids, `
		INSERT INTO outbox_messages (site_id, kind, order_id, customer_id, recipient, phone, locale, body, link, dedupe_key, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (dedupe_key) DO NOTHING
		RETURNING id`,
		m.SiteID, m.Kind, m.OrderID, m.CustomerID, m.Recipient, m.Phone, m.Locale, m.Body, m.Link, m.DedupeKey, m.CreatedBy, m.CreatedAt)
	if err != nil || len(ids) == 0 {
		return false, err
	}
	m.ID = ids[0]
	return true, nil
}

// queueCausedMessages writes the messages the change's events cause (a car
// ready tells its customer; a callback that gave up on the phone sends a
// letter), in the change's transaction, before it commits: a message exists
// exactly when its cause does.
func queueCausedMessages(c *change) error {
	for _, ev := range c.caused {
		if ev.OrderID == nil {
			continue
		}
		if kind, ok := shop.MessageForEvent(ev.Kind); ok {
			if err := queueOrderMessage(c, *ev.OrderID, kind, "", shop.MessageDedupeKey(kind, "order", int64(*ev.OrderID)), time.Time{}); err != nil {
				return err
			}
		}
		if ev.Kind == shop.EventCallbackRecorded {
			// The callback this change gave up on, if any (its fallback is
			// a letter or a message; either way the customer gets it).
			var ids []shop.CallbackID
			if err := c.tx.SelectContext(c.ctx, &ids, `
				SELECT id FROM callbacks WHERE order_id = $1 AND state = 'UNREACHABLE' AND done_at = $2`, *ev.OrderID, c.now); err != nil {
				return err
			}
			for _, id := range ids {
				k := shop.MessageCallbackLetter
				if err := queueOrderMessage(c, *ev.OrderID, k, "", shop.MessageDedupeKey(k, "callback", int64(id)), time.Time{}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// queueOrderMessage composes and adds one message about order id.
func queueOrderMessage(c *change, id shop.OrderID, kind shop.MessageKind, link, dedupe string, when time.Time) error {
	f, err := orderMessageFacts(c.ctx, c.tx, id)
	if err != nil {
		return err
	}
	m, err := composeOrderMessage(c.ctx, c.tx, f, kind, link, dedupe, when, c.now)
	if err != nil {
		return err
	}
	m.CreatedBy = &c.actor.UserID
	_, err = insertMessage(c.ctx, c.tx, &m)
	return err
}

// QueueReminderMessages writes the messages the clock causes, each once
// (its dedupe key), at the store's clock: the appointment reminder on the
// local day before a booked appointment, and the maintenance reminder
// (招揽) when a planned service's letter or message step falls due. Safe from
// every instance at once. It returns how many messages it added.
func (d *DB) QueueReminderMessages(ctx context.Context) (int, error) {
	n := 0
	err := d.tx(ctx, func(tx *sqlx.Tx) error {
		now := d.Now().UTC().Truncate(time.Microsecond)
		var appts []struct {
			ID shop.AppointmentID
			messageFacts
			ScheduledAt time.Time
		}
		if err := tx.SelectContext(ctx, &appts, `
			SELECT a.id, a.site_id, 0 AS order_id, c.id AS customer_id, '' AS number, c.name AS customer, c.phone, v.plate,
			       s.name AS site, s.time_zone, COALESCE(ms.locale, 'zh') AS locale, a.scheduled_at
			FROM appointments a
			JOIN sites s ON s.id = a.site_id
			JOIN customers c ON c.id = a.customer_id
			JOIN vehicles v ON v.id = a.vehicle_id
			LEFT JOIN message_settings ms ON ms.site_id = a.site_id
			WHERE a.state = 'BOOKED' AND a.scheduled_at > $1
			  AND (a.scheduled_at AT TIME ZONE s.time_zone)::date = ($1::timestamptz AT TIME ZONE s.time_zone)::date + 1
			  AND NOT EXISTS (SELECT 1 FROM outbox_messages m WHERE m.dedupe_key = 'APPOINTMENT_REMINDER:appointment:' || a.id)
			ORDER BY a.id LIMIT 1000`, now); err != nil {
			return err
		}
		for _, a := range appts {
			k := shop.MessageAppointmentReminder
			m, err := composeOrderMessage(ctx, tx, &a.messageFacts, k, "", shop.MessageDedupeKey(k, "appointment", int64(a.ID)), a.ScheduledAt, now)
			if err != nil {
				return err
			}
			added, err := insertMessage(ctx, tx, &m)
			if err != nil {
				return err
			}
			if added {
				n++
			}
		}
		var due []struct {
			ID shop.ReminderID
			messageFacts
			DueOn time.Time
		}
		if err := tx.SelectContext(ctx, &due, `
			SELECT r.id, r.site_id, 0 AS order_id, c.id AS customer_id, '' AS number, c.name AS customer, c.phone, v.plate,
			       s.name AS site, s.time_zone, COALESCE(ms.locale, 'zh') AS locale, p.due_on
			FROM reminders r
			JOIN service_plans p ON p.id = r.plan_id
			JOIN vehicles v ON v.id = p.vehicle_id
			JOIN customers c ON c.id = v.customer_id
			JOIN sites s ON s.id = r.site_id
			LEFT JOIN message_settings ms ON ms.site_id = r.site_id
			WHERE r.done_at IS NULL AND r.channel IN ('LETTER', 'MESSAGE') AND p.state = 'OPEN'
			  AND r.due_on <= ($1::timestamptz AT TIME ZONE s.time_zone)::date
			  AND NOT EXISTS (SELECT 1 FROM outbox_messages m WHERE m.dedupe_key = 'MAINTENANCE_REMINDER:reminder:' || r.id)
			ORDER BY r.id LIMIT 1000`, now); err != nil {
			return err
		}
		for _, r := range due {
			k := shop.MessageMaintenanceReminder
			// The service day is a local date: noon keeps it that day in any zone.
			when := time.Date(r.DueOn.Year(), r.DueOn.Month(), r.DueOn.Day(), 12, 0, 0, 0, location(r.TimeZone))
			m, err := composeOrderMessage(ctx, tx, &r.messageFacts, k, "", shop.MessageDedupeKey(k, "reminder", int64(r.ID)), when, now)
			if err != nil {
				return err
			}
			added, err := insertMessage(ctx, tx, &m)
			if err != nil {
				return err
			}
			if added {
				n++
			}
		}
		return nil
	})
	return n, err
}

// ApprovalLinkSent is what sending an approval link made: the link, its
// address (shown once: only the token's hash is kept) and the message.
type ApprovalLinkSent struct {
	Link    *shop.ApprovalLink
	URL     string
	Message *shop.Message
}

// SendApprovalLinkInput names the order whose additional work the customer
// is asked to approve.
type SendApprovalLinkInput struct {
	OrderID shop.OrderID
}

// SendApprovalLink makes a customer's approval link for an order with
// additional work waiting for an answer, and queues the approval request
// carrying it, in one transaction. Errors: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID_TRANSITION, INVALID.
func (d *DB) SendApprovalLink(ctx context.Context, in SendApprovalLinkInput) (*ApprovalLinkSent, error) {
	return mutate(d, ctx, "sendApprovalLink", "", in, func(c *change) (*ApprovalLinkSent, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActRead, nil)
		if err != nil {
			return nil, err
		}
		var pending int
		if err := c.tx.GetContext(c.ctx, &pending, `
			SELECT count(*) FROM additional_work WHERE order_id = $1 AND state = 'REQUESTED'`, o.ID); err != nil {
			return nil, err
		}
		token, hash, err := newSecretToken("bbl_")
		if err != nil {
			return nil, err
		}
		l, err := shop.NewApprovalLink(o, pending, hash, c.actor, c.now)
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &l.ID, `
			INSERT INTO approval_links (site_id, order_id, hash, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			l.SiteID, l.OrderID, l.Hash, l.CreatedBy, l.CreatedAt, l.ExpiresAt); err != nil {
			return nil, err
		}
		out := &ApprovalLinkSent{Link: &l, URL: shop.ApprovalLinkURL(d.PublicURL, token)}
		f, err := orderMessageFacts(c.ctx, c.tx, o.ID)
		if err != nil {
			return nil, err
		}
		k := shop.MessageApprovalRequest
		m, err := composeOrderMessage(c.ctx, c.tx, f, k, out.URL, shop.MessageDedupeKey(k, "link", int64(l.ID)), time.Time{}, c.now)
		if err != nil {
			return nil, err
		}
		m.CreatedBy = &c.actor.UserID
		if _, err := insertMessage(c.ctx, c.tx, &m); err != nil {
			return nil, err
		}
		out.Message = &m
		return out, nil
	})
}

// newSecretToken draws a random token with prefix and returns it with its SHA-256.
func newSecretToken(prefix string) (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	t := prefix + base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(t))
	return t, h[:], nil
}

// MessageFilter selects outbox messages: a site's, or one order's.
type MessageFilter struct {
	SiteID  shop.SiteID
	OrderID *shop.OrderID
	After   shop.MessageID // newest first: messages older than this ID
	Limit   int
}

// FindMessages returns outbox messages, newest first: what was (or will be)
// sent to customers. They carry names and phone numbers: only roles that
// read personal data see them. Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (d *DB) FindMessages(ctx context.Context, f MessageFilter) ([]*shop.Message, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := shop.MayReadMessages(a, f.SiteID); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	after := int64(f.After)
	if after == 0 {
		after = 1<<63 - 1
	}
	var rows []*shop.Message
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+messageColumns+` FROM outbox_messages
		WHERE site_id = $1 AND ($2::bigint IS NULL OR order_id = $2) AND id < $3
		ORDER BY id DESC LIMIT $4`, f.SiteID, f.OrderID, after, limit)
	return rows, translate(err)
}

// MessagesByOrder returns the outbox messages of orders, oldest first, for
// the loaders (only the actor's sites).
func (d *DB) MessagesByOrder(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID][]*shop.Message, error) {
	rows, err := selectInSites[shop.Message](ctx, d, `
		SELECT `+messageColumns+` FROM outbox_messages WHERE order_id = ANY($1) AND site_id = ANY($2) ORDER BY id`, pq.Array(ids))
	return groupBy(rows, err, func(m *shop.Message) shop.OrderID { return *m.OrderID })
}

// SetMessageTemplateInput is a site's own wording of a kind of message.
type SetMessageTemplateInput struct {
	SiteID shop.SiteID
	Kind   shop.MessageKind
	Locale string
	// Body is the template; empty returns to the built-in wording.
	Body string
}

// SetMessageTemplate sets (or, with an empty body, removes) a site's
// wording of a kind of message in one language. Only who changes the site's
// settings may. Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID.
func (d *DB) SetMessageTemplate(ctx context.Context, in SetMessageTemplateInput) (string, error) {
	return mutate(d, ctx, "setMessageTemplate", "", in, func(c *change) (string, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActSiteSettings); err != nil {
			return "", err
		}
		if strings.TrimSpace(in.Body) == "" {
			if _, err := shop.CheckTemplate(in.Kind, in.Locale, shop.DefaultTemplate(in.Kind, in.Locale)); err != nil {
				return "", err
			}
			_, err := c.tx.ExecContext(c.ctx, `
				DELETE FROM message_templates WHERE site_id = $1 AND kind = $2 AND locale = $3`, in.SiteID, in.Kind, in.Locale)
			return shop.DefaultTemplate(in.Kind, in.Locale), err
		}
		body, err := shop.CheckTemplate(in.Kind, in.Locale, in.Body)
		if err != nil {
			return "", err
		}
		_, err = c.tx.ExecContext(c.ctx, `
			INSERT INTO message_templates (site_id, kind, locale, body, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (site_id, kind, locale) DO UPDATE SET body = $4, updated_by = $5, updated_at = $6`,
			in.SiteID, in.Kind, in.Locale, body, c.actor.UserID, c.now)
		return body, err
	})
}

// SetMessageLocale sets the language a site's messages are written in.
// Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID.
func (d *DB) SetMessageLocale(ctx context.Context, site shop.SiteID, locale string) error {
	_, err := mutate(d, ctx, "setMessageLocale", "", locale, func(c *change) (bool, error) {
		if err := shop.Authorize(c.actor, site, shop.ActSiteSettings); err != nil {
			return false, err
		}
		if _, err := shop.CheckTemplate(shop.MessageCarReady, locale, shop.DefaultTemplate(shop.MessageCarReady, locale)); err != nil {
			return false, err
		}
		_, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO message_settings (site_id, locale) VALUES ($1, $2)
			ON CONFLICT (site_id) DO UPDATE SET locale = $2`, site, locale)
		return true, err
	})
	return err
}

// MessageTemplate returns the wording a site uses for kind in locale: its
// own, or the built-in one. Errors: UNAUTHENTICATED, NOT_FOUND, INVALID.
func (d *DB) MessageTemplate(ctx context.Context, site shop.SiteID, kind shop.MessageKind, locale string) (string, bool, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return "", false, err
	}
	if err := shop.Authorize(a, site, shop.ActRead); err != nil {
		return "", false, err
	}
	if _, err := shop.CheckTemplate(kind, locale, shop.DefaultTemplate(kind, locale)); err != nil {
		return "", false, err
	}
	custom, err := siteTemplate(ctx, d.db, site, kind, locale)
	if err != nil {
		return "", false, translate(err)
	}
	if custom == "" {
		return shop.DefaultTemplate(kind, locale), false, nil
	}
	return custom, true, nil
}

// messagePayload is the body posted for a message (Standard Webhooks' shape:
// type, timestamp, data).
type messagePayload struct {
	Type      string      `json:"type"`
	Timestamp time.Time   `json:"timestamp"`
	Data      messageData `json:"data"`
}

type messageData struct {
	ID        string `json:"id"`
	Site      string `json:"siteId"`
	Kind      string `json:"kind"`
	Order     string `json:"orderId,omitempty"`
	Customer  string `json:"customerId,omitempty"`
	Recipient string `json:"recipient"`
	Phone     string `json:"phone"`
	Locale    string `json:"locale"`
	Body      string `json:"body"`
	Link      string `json:"link,omitempty"`
	CreatedAt string `json:"createdAt"`
	DedupeKey string `json:"dedupeKey"`
}

func messageJSON(m *shop.Message) ([]byte, error) {
	d := messageData{ID: shop.GlobalID(shop.TypeMessage, int64(m.ID)), Site: shop.GlobalID(shop.TypeSite, int64(m.SiteID)),
		Kind: string(m.Kind), Recipient: m.Recipient, Phone: m.Phone, Locale: m.Locale, Body: m.Body, Link: m.Link,
		CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339Nano), DedupeKey: m.DedupeKey}
	if m.OrderID != nil {
		d.Order = shop.GlobalID(shop.TypeOrder, int64(*m.OrderID))
	}
	if m.CustomerID != nil {
		d.Customer = shop.GlobalID(shop.TypeCustomer, int64(*m.CustomerID))
	}
	return json.Marshal(messagePayload{Type: shop.WebhookTypeMessage, Timestamp: m.CreatedAt.UTC(), Data: d})
}

// DispatchMessages takes up to limit messages not yet dispatched (SKIP
// LOCKED: instances share the work, none takes one twice), makes a webhook
// delivery of each for every enabled endpoint of its site that takes
// messages, and marks them dispatched, in one transaction. It returns the
// messages, for the log sender.
func (d *DB) DispatchMessages(ctx context.Context, limit int) ([]*shop.Message, error) {
	var out []*shop.Message
	err := d.tx(ctx, func(tx *sqlx.Tx) error {
		now := d.Now().UTC().Truncate(time.Microsecond)
		out = nil
		if err := tx.SelectContext(ctx, &out, `
			SELECT `+messageColumns+` FROM outbox_messages
			WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit); err != nil {
			return err
		}
		for _, m := range out {
			body, err := messageJSON(m)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO webhook_deliveries (site_id, endpoint_id, message_id, type, payload, next_attempt_at, created_at)
				SELECT site_id, id, $2, $3, $4, $5, $5 FROM webhook_endpoints
				WHERE site_id = $1 AND messages AND disabled_at IS NULL
				ON CONFLICT DO NOTHING`, m.SiteID, m.ID, shop.WebhookTypeMessage, body, now); err != nil {
				return err
			}
			m.DispatchedAt = &now
			if _, err := tx.ExecContext(ctx, `UPDATE outbox_messages SET dispatched_at = $2 WHERE id = $1`, m.ID, now); err != nil {
				return err
			}
		}
		return nil
	})
	return out, translate(err)
}

// eventPayload is the body posted for an event.
type eventPayload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      eventData `json:"data"`
}

type eventData struct {
	ID      string `json:"id"`
	Cursor  int64  `json:"cursor"`
	Kind    string `json:"kind"`
	Site    string `json:"siteId"`
	Order   string `json:"orderId,omitempty"`
	Job     string `json:"jobId,omitempty"`
	Summary string `json:"summary"`
	At      string `json:"at"`
}

func eventJSON(e *shop.Event) ([]byte, error) {
	d := eventData{ID: shop.GlobalID(shop.TypeEvent, int64(e.ID)), Cursor: e.Pos, Kind: string(e.Kind),
		Site: shop.GlobalID(shop.TypeSite, int64(e.SiteID)), Summary: e.Summary, At: e.At.UTC().Format(time.RFC3339Nano)}
	if e.OrderID != nil {
		d.Order = shop.GlobalID(shop.TypeOrder, int64(*e.OrderID))
	}
	if e.JobID != nil {
		d.Job = shop.GlobalID(shop.TypeJob, int64(*e.JobID))
	}
	return json.Marshal(eventPayload{Type: shop.WebhookTypeEvent + string(e.Kind), Timestamp: e.At.UTC(), Data: d})
}

// FanOutEvents reads the event log after the webhook cursor (up to limit
// events) and makes a delivery of each for every enabled endpoint of its site
// that chose its kind and was registered before it, then moves the cursor,
// in one transaction. One instance at a time does it (the cursor row is
// locked, SKIP LOCKED: the others skip). It returns the deliveries made.
//
// Its cost does not grow with the events in statements: the endpoints that
// take events are read first, and when none does (most sites, most of the
// time) the cursor just moves past the batch; otherwise the payloads of the
// events some endpoint may want go in one INSERT, which joins them to their
// endpoints. (One INSERT per event cost PostgreSQL about as much as the
// mutation that appended the event.)
func (d *DB) FanOutEvents(ctx context.Context, limit int) (int, error) {
	n := 0
	err := d.tx(ctx, func(tx *sqlx.Tx) error {
		now := d.Now().UTC().Truncate(time.Microsecond)
		var cursor []int64
		if err := tx.SelectContext(ctx, &cursor, `
			SELECT pos FROM webhook_event_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED`); err != nil || len(cursor) == 0 {
			return err
		}
		eps, err := eventEndpoints(ctx, tx)
		if err != nil {
			return err
		}
		if len(eps) == 0 {
			_, err := tx.ExecContext(ctx, `
				UPDATE webhook_event_cursor SET pos = COALESCE((
					SELECT max(pos) FROM (SELECT pos FROM events WHERE pos > $1 ORDER BY pos LIMIT $2) batch
				), pos) WHERE id = 1`, cursor[0], limit)
			return err
		}
		var evs []*shop.Event
		if err := tx.SelectContext(ctx, &evs, `
			SELECT `+eventColumns+` FROM events WHERE pos > $1 ORDER BY pos LIMIT $2`, cursor[0], limit); err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		var ids []int64
		var bodies [][]byte
		for _, e := range evs {
			if !slices.ContainsFunc(eps, func(ep *shop.WebhookEndpoint) bool { return ep.TakesEvent(e) }) {
				continue
			}
			body, err := eventJSON(e)
			if err != nil {
				return err
			}
			ids = append(ids, int64(e.ID))
			bodies = append(bodies, body)
		}
		if len(ids) > 0 {
			// The join decides, as the one INSERT per event did; TakesEvent
			// only spares the payloads no endpoint can take.
			res, err := tx.ExecContext(ctx, `
				INSERT INTO webhook_deliveries (site_id, endpoint_id, event_id, type, payload, next_attempt_at, created_at)
				SELECT w.site_id, w.id, e.id, $3 || e.kind, p.payload, $4, $4
				FROM unnest($1::BIGINT[], $2::BYTEA[]) WITH ORDINALITY AS p (id, payload, n)
				JOIN events e ON e.id = p.id
				JOIN webhook_endpoints w ON w.site_id = e.site_id AND e.kind = ANY(w.event_kinds)
					AND w.disabled_at IS NULL AND w.created_at <= e.at
				ORDER BY p.n, w.id
				ON CONFLICT DO NOTHING`, pq.Array(ids), pq.ByteaArray(bodies), shop.WebhookTypeEvent, now)
			if err != nil {
				return err
			}
			m, _ := res.RowsAffected()
			n = int(m)
		}
		_, err = tx.ExecContext(ctx, `UPDATE webhook_event_cursor SET pos = $1 WHERE id = 1`, evs[len(evs)-1].Pos)
		return err
	})
	return n, translate(err)
}

// eventEndpoints reads the enabled endpoints that take events.
func eventEndpoints(ctx context.Context, tx *sqlx.Tx) ([]*shop.WebhookEndpoint, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE disabled_at IS NULL AND cardinality(event_kinds) > 0`)
	if err != nil {
		return nil, err
	}
	return scanAll(rows, scanEndpoint)
}

// ClaimedDelivery is a delivery a worker took, with where to post it.
type ClaimedDelivery struct {
	shop.WebhookDelivery
	URL    string
	Secret string
}

// ClaimWebhookDeliveries takes up to limit deliveries that are due at the
// store's clock and held by no worker, for lease: until then no other worker
// (on any instance) takes them (FOR UPDATE SKIP LOCKED, then the lease). A
// worker that dies mid-post leaves them to be taken again after the lease,
// so none is lost; a receiver dedupes by webhook-id. Deliveries of disabled
// endpoints are not taken.
func (d *DB) ClaimWebhookDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*ClaimedDelivery, error) {
	now := d.Now().UTC().Truncate(time.Microsecond)
	var out []*ClaimedDelivery
	err := d.db.SelectContext(ctx, &out, `
		WITH due AS (
			SELECT d.id FROM webhook_deliveries d
			JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE d.delivered_at IS NULL AND d.next_attempt_at <= $1
			  AND (d.leased_until IS NULL OR d.leased_until <= $1) AND e.disabled_at IS NULL
			ORDER BY d.next_attempt_at, d.id
			LIMIT $2
			FOR UPDATE OF d SKIP LOCKED
		)
		UPDATE webhook_deliveries d SET leased_until = $3
		FROM due, webhook_endpoints e
		WHERE d.id = due.id AND e.id = d.endpoint_id
		RETURNING `+qualified("d", deliveryColumns)+`, e.url, e.secret`, now, limit, now.Add(lease))
	return out, translate(err)
}

const deliveryColumns = `id, site_id, endpoint_id, message_id, event_id, type, payload, attempts, next_attempt_at, leased_until, delivered_at, last_status, last_error, created_at`

// RecordWebhookAttempt writes one attempt of a delivery into its log and
// applies its outcome (shop.WebhookAttemptOutcome): delivered on a 2xx,
// else the next try after the backoff. status is nil when no answer came;
// errText says why. A delivery already acknowledged stays so.
func (d *DB) RecordWebhookAttempt(ctx context.Context, id shop.WebhookDeliveryID, at time.Time, status *int, errText string, took time.Duration) error {
	return d.tx(ctx, func(tx *sqlx.Tx) error {
		now := d.Now().UTC().Truncate(time.Microsecond)
		var cur struct {
			Attempts    int
			DeliveredAt *time.Time
		}
		if err := tx.GetContext(ctx, &cur, `
			SELECT attempts, delivered_at FROM webhook_deliveries WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		if len(errText) > 500 {
			errText = errText[:500]
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO webhook_attempts (delivery_id, at, status, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
			id, at.UTC(), status, errText, max(took.Milliseconds(), 0)); err != nil {
			return err
		}
		if cur.DeliveredAt != nil {
			return nil
		}
		out := shop.WebhookAttemptOutcome(status, cur.Attempts+1, now)
		var delivered *time.Time
		next := out.Next
		if out.Delivered {
			delivered, next = &now, now
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE webhook_deliveries SET attempts = attempts + 1, delivered_at = $2, next_attempt_at = $3,
				leased_until = NULL, last_status = $4, last_error = $5
			WHERE id = $1`, id, delivered, next, status, errText)
		return err
	})
}

const endpointColumns = `id, site_id, url, description, secret, messages, event_kinds, created_by, created_at, disabled_at`

func scanEndpoint(r rowScanner) (*shop.WebhookEndpoint, error) {
	var e shop.WebhookEndpoint
	var kinds []string
	if err := r.Scan(&e.ID, &e.SiteID, &e.URL, &e.Description, &e.Secret, &e.Messages, pq.Array(&kinds),
		&e.CreatedBy, &e.CreatedAt, &e.DisabledAt); err != nil {
		return nil, err
	}
	for _, k := range kinds {
		e.EventKinds = append(e.EventKinds, shop.EventKind(k))
	}
	return &e, nil
}

// CreateWebhookEndpointInput registers an endpoint for a site.
type CreateWebhookEndpointInput struct {
	SiteID      shop.SiteID
	URL         string
	Description *string
	Messages    bool
	EventKinds  []shop.EventKind
}

// CreateWebhookEndpoint registers an endpoint with a fresh signing secret
// ("whsec_" + base64 of 32 random bytes). Production refuses plain http.
// Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID.
func (d *DB) CreateWebhookEndpoint(ctx context.Context, in CreateWebhookEndpointInput) (*shop.WebhookEndpoint, error) {
	// Resolve before the transaction: DNS may take seconds.
	addrs := d.webhookAddrs(ctx, in.URL)
	return mutate(d, ctx, "createWebhookEndpoint", "", in, func(c *change) (*shop.WebhookEndpoint, error) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		e, err := shop.NewWebhookEndpoint(in.SiteID, shop.WebhookEndpointInput{URL: in.URL, Description: deref(in.Description),
			Messages: in.Messages, EventKinds: in.EventKinds, Addrs: addrs, AllowPrivate: d.AllowPrivateWebhooks}, "whsec_"+base64.StdEncoding.EncodeToString(key), d.Production, c.actor, c.now)
		if err != nil {
			return nil, err
		}
		kinds := make([]string, len(e.EventKinds))
		for i, k := range e.EventKinds {
			kinds[i] = string(k)
		}
		if err := c.tx.GetContext(c.ctx, &e.ID, `
			INSERT INTO webhook_endpoints (site_id, url, description, secret, messages, event_kinds, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			e.SiteID, e.URL, e.Description, e.Secret, e.Messages, pq.Array(kinds), e.CreatedBy, e.CreatedAt); err != nil {
			return nil, err
		}
		return &e, nil
	})
}

// webhookAddrs resolves the host of an endpoint's URL for
// shop.CheckWebhookHost: nothing when private addresses are allowed, the URL
// is unreadable (the rule says so), the host is an IP address (the rule
// reads it) or the name does not resolve within 3 s.
func (d *DB) webhookAddrs(ctx context.Context, raw string) []netip.Addr {
	u, err := url.Parse(strings.TrimSpace(raw))
	if d.AllowPrivateWebhooks || err != nil || u.Hostname() == "" {
		return nil
	}
	if _, err := netip.ParseAddr(u.Hostname()); err == nil {
		return nil
	}
	lookup := d.LookupIP
	if lookup == nil {
		lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, _ := lookup(ctx, u.Hostname())
	return addrs
}

// DisableWebhookEndpoint stops posting to an endpoint, its pending
// deliveries included (they stay in the log). Errors: UNAUTHENTICATED,
// NOT_FOUND, FORBIDDEN, INVALID_TRANSITION.
func (d *DB) DisableWebhookEndpoint(ctx context.Context, id shop.WebhookEndpointID) (*shop.WebhookEndpoint, error) {
	return mutate(d, ctx, "disableWebhookEndpoint", "", id, func(c *change) (*shop.WebhookEndpoint, error) {
		e, err := scanEndpoint(c.tx.QueryRowContext(c.ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = $1 FOR UPDATE`, id))
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(e.SiteID)) {
			return nil, notFoundAt("endpointId", "No webhook endpoint with that ID exists.")
		} else if err != nil {
			return nil, err
		}
		e2, err := shop.DisableWebhookEndpoint(*e, c.actor, c.now)
		if err != nil {
			return nil, err
		}
		_, err = c.tx.ExecContext(c.ctx, `UPDATE webhook_endpoints SET disabled_at = $2 WHERE id = $1`, id, e2.DisabledAt)
		return &e2, err
	})
}

// FindWebhookEndpoints returns a site's endpoints, oldest first, to its
// service manager. Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (d *DB) FindWebhookEndpoints(ctx context.Context, site shop.SiteID) ([]*shop.WebhookEndpoint, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := shop.MayManageWebhooks(a, site); err != nil {
		return nil, err
	}
	return queryRows(ctx, d, scanEndpoint, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE site_id = $1 ORDER BY id`, site)
}

// DeliveryFilter selects an endpoint's deliveries, newest first.
type DeliveryFilter struct {
	EndpointID shop.WebhookEndpointID
	// Pending keeps only those not yet acknowledged.
	Pending bool
	After   shop.WebhookDeliveryID
	Limit   int
}

// FindWebhookDeliveries returns an endpoint's deliveries, newest first: the
// delivery log, to its site's service manager. Errors: UNAUTHENTICATED,
// NOT_FOUND, FORBIDDEN.
func (d *DB) FindWebhookDeliveries(ctx context.Context, f DeliveryFilter) ([]*shop.WebhookDelivery, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var site shop.SiteID
	err = d.db.GetContext(ctx, &site, `SELECT site_id FROM webhook_endpoints WHERE id = $1`, f.EndpointID)
	if isNoRows(err) || (err == nil && !a.CanSeeSite(site)) {
		return nil, notFoundAt("endpointId", "No webhook endpoint with that ID exists.")
	} else if err != nil {
		return nil, translate(err)
	}
	if err := shop.MayManageWebhooks(a, site); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	after := int64(f.After)
	if after == 0 {
		after = 1<<63 - 1
	}
	var rows []*shop.WebhookDelivery
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE endpoint_id = $1 AND id < $2 AND (NOT $3 OR delivered_at IS NULL)
		ORDER BY id DESC LIMIT $4`, f.EndpointID, after, f.Pending, limit)
	return rows, translate(err)
}

// WebhookAttemptsByDelivery returns the attempts of deliveries, in order,
// for the loaders (only the actor's sites).
func (d *DB) WebhookAttemptsByDelivery(ctx context.Context, ids []shop.WebhookDeliveryID) (map[shop.WebhookDeliveryID][]*shop.WebhookAttempt, error) {
	rows, err := selectInSites[shop.WebhookAttempt](ctx, d, `
		SELECT a.delivery_id, a.at, a.status, a.error, a.duration_ms
		FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
		WHERE a.delivery_id = ANY($1) AND d.site_id = ANY($2) ORDER BY a.id`, pq.Array(ids))
	return groupBy(rows, err, func(a *shop.WebhookAttempt) shop.WebhookDeliveryID { return a.DeliveryID })
}
