// Package webhook delivers the outbox: it hands each message to the log
// sender, posts messages and chosen events to the endpoints service managers
// registered, signed as Standard Webhooks says (webhook-id, webhook-timestamp,
// webhook-signature "v1,<base64 HMAC-SHA256>"), and retries with backoff until
// a 2xx. It runs in its own goroutine: a slow or dead endpoint never holds up
// a mutation. What is sent and when to retry is decided in shop and kept by
// store; this package only posts. It may import store and shop; never gqlgen,
// graph or board.
package webhook

import (
	"bayboard/watch"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"bayboard/shop"
	"bayboard/store"
)

// Sign returns the webhook-signature header of body with id and timestamp
// ts under secret ("whsec_" + base64 of the key): "v1," + base64 of
// HMAC-SHA256(key, id + "." + ts + "." + body). It returns an error for a
// malformed secret.
func Sign(secret, id string, ts int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		return "", errors.New("webhook secret must be whsec_ followed by base64")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// Verify checks a request's Standard Webhooks headers against secret, for
// receivers (and tests): one of the space-separated signatures must match,
// and the timestamp be within tolerance of now. It returns an error saying
// what is wrong.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id, tsText, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || tsText == "" || sigs == "" {
		return errors.New("missing webhook headers")
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return errors.New("bad webhook-timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("webhook-timestamp out of tolerance")
	}
	want, err := Sign(secret, id, ts, body)
	if err != nil {
		return err
	}
	for _, s := range strings.Fields(sigs) {
		if subtle.ConstantTimeCompare([]byte(s), []byte(want)) == 1 {
			return nil
		}
	}
	return errors.New("no signature matches")
}

// Options tune a Worker; zero values take the defaults.
type Options struct {
	// Interval is the time between two passes (default 2s): how late a
	// message may leave after its change committed.
	Interval time.Duration
	// Ticks, when set, replaces the interval's ticker: one pass per value.
	Ticks <-chan time.Time
	// Timeout is the time an endpoint has to answer one POST (default 10s).
	Timeout time.Duration
	// Workers is how many POSTs run at once (default 4).
	Workers int
	// Batch is how many deliveries a pass takes at most (default 100).
	Batch int
	// Client posts; default an http.Client with Timeout that connects to
	// public addresses only (see AllowPrivate).
	Client *http.Client
	// AllowPrivate lets the default client connect to loopback, link-local
	// and private addresses (BAYBOARD_WEBHOOK_ALLOW_PRIVATE). Off, every
	// connection is checked against the address it is about to reach, after
	// DNS: an endpoint accepted as public whose name now points inside (DNS
	// rebinding, a changed record) fails its attempt and is retried.
	AllowPrivate bool
}

// Stats are the worker's counters, for metrics and tests.
type Stats struct {
	Passes     atomic.Int64 // passes finished
	Messages   atomic.Int64 // messages handed to the log sender
	Reminders  atomic.Int64 // reminder messages the clock queued
	Attempts   atomic.Int64 // POSTs made
	Delivered  atomic.Int64 // deliveries acknowledged with a 2xx
	Failed     atomic.Int64 // POSTs that failed (another status, no answer, timeout)
	PassErrors atomic.Int64 // passes that hit a database error (logged)
}

// Worker runs the outbox: every instance runs one; the store's claims (SKIP
// LOCKED and a lease) keep two from posting the same delivery at once.
type Worker struct {
	db   *store.DB
	log  *slog.Logger
	opts Options
	// Stats counts what the worker did.
	Stats Stats
	// remindedAt is when the clock's reminders were last queued (store
	// clock): they are due by the day, so once a minute is plenty.
	remindedAt time.Time
}

// New returns a worker over db; call Run to start it.
func New(db *store.DB, log *slog.Logger, opts Options) *Worker {
	if opts.Interval <= 0 {
		opts.Interval = 2 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Batch <= 0 {
		opts.Batch = 100
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Timeout, Transport: guardedTransport(opts.AllowPrivate),
			// A redirect is not an acknowledgement: the 3xx is the answer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &Worker{db: db, log: log, opts: opts}
}

// Run makes a pass at every tick until ctx ends, then returns nil. A failed
// pass is logged and the next tick tries again. POSTs in flight when ctx
// ends are cut; their deliveries are taken again after their lease.
func (w *Worker) Run(ctx context.Context) error {
	return watch.Every(ctx, w.opts.Ticks, w.opts.Interval, w.Pass, w.log, "outbox pass")
}

// Pass queues the clock's reminders (at most once a minute), hands new messages to the log sender
// and makes their deliveries, makes the deliveries of new events, then posts
// every delivery due (one batch). It returns the database errors met (store's
// codes); a failed POST is not an error, it is retried later.
func (w *Worker) Pass(ctx context.Context) error {
	defer w.Stats.Passes.Add(1)
	var errs []error
	if now := w.db.Now(); w.remindedAt.IsZero() || now.Sub(w.remindedAt) >= time.Minute || now.Before(w.remindedAt) {
		if n, err := w.db.QueueReminderMessages(ctx); err != nil {
			errs = append(errs, fmt.Errorf("queue reminders: %w", err))
		} else {
			w.remindedAt = now
			w.Stats.Reminders.Add(int64(n))
		}
	}
	for {
		msgs, err := w.db.DispatchMessages(ctx, w.opts.Batch)
		if err != nil {
			errs = append(errs, fmt.Errorf("dispatch messages: %w", err))
			break
		}
		for _, m := range msgs {
			// The log sender: what `make run` shows of every message.
			w.log.Info("message to customer", "kind", m.Kind, "site", m.SiteID, "message", m.ID,
				"locale", m.Locale, "body", m.Body)
		}
		w.Stats.Messages.Add(int64(len(msgs)))
		if len(msgs) < w.opts.Batch {
			break
		}
	}
	if _, err := w.db.FanOutEvents(ctx, 1000); err != nil {
		errs = append(errs, fmt.Errorf("fan out events: %w", err))
	}
	if err := w.deliver(ctx); err != nil {
		errs = append(errs, err)
	}
	err := errors.Join(errs...)
	if err != nil {
		w.Stats.PassErrors.Add(1)
	}
	return err
}

// deliver posts one batch of due deliveries, Workers at a time.
func (w *Worker) deliver(ctx context.Context) error {
	// The lease outlives the POST's timeout by a margin, so no other worker
	// takes a delivery while this one may still post it.
	lease := 2*w.opts.Timeout + 30*time.Second
	ds, err := w.db.ClaimWebhookDeliveries(ctx, w.opts.Batch, lease)
	if err != nil {
		return fmt.Errorf("claim deliveries: %w", err)
	}
	sem := make(chan struct{}, w.opts.Workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, d := range ds {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := w.post(ctx, d); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// post sends one delivery and records the attempt.
func (w *Worker) post(ctx context.Context, d *store.ClaimedDelivery) error {
	at := w.db.Now()
	id := d.WebhookMessageID()
	ts := at.Unix()
	sig, err := Sign(d.Secret, id, ts, d.Payload)
	if err != nil {
		return fmt.Errorf("sign delivery %d: %w", d.ID, err)
	}
	start := time.Now()
	status, errText := w.send(ctx, d.URL, id, ts, sig, d.Payload)
	took := time.Since(start)
	if ctx.Err() != nil {
		// Shutting down: the lease runs out and another pass retries; the
		// receiver dedupes if this one did arrive.
		return nil
	}
	w.Stats.Attempts.Add(1)
	if status != nil && *status >= 200 && *status < 300 {
		w.Stats.Delivered.Add(1)
	} else {
		w.Stats.Failed.Add(1)
		w.log.Warn("webhook delivery failed", "delivery", d.ID, "endpoint", d.EndpointID, "status", status, "error", errText)
	}
	if err := w.db.RecordWebhookAttempt(context.WithoutCancel(ctx), d.ID, at, status, errText, took); err != nil {
		return fmt.Errorf("record attempt of delivery %d: %w", d.ID, err)
	}
	return nil
}

// send POSTs body; it returns the status (nil when none came) and what went wrong.
func (w *Worker) send(ctx context.Context, url, id string, ts int64, sig string, body []byte) (*int, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Bayboard-Webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := w.opts.Client.Do(req)
	if err != nil {
		return nil, err.Error()
	}
	defer resp.Body.Close()
	// Read a little of the answer so the connection can be reused; keep none.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	s := resp.StatusCode
	if s >= 200 && s < 300 {
		return &s, ""
	}
	return &s, http.StatusText(s)
}

// guardedTransport is the default client's transport: no proxy from the
// environment (the check must see the endpoint's own address, not a
// proxy's), and unless allowPrivate a dialer that refuses to connect to
// anything but a public address (shop.PrivateAddr). The check runs on the
// address actually dialled, after resolution, so no DNS answer gets past it.
func guardedTransport(allowPrivate bool) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("refused to connect to %s: not an IP address", address)
			}
			if shop.PrivateAddr(ap.Addr()) {
				return fmt.Errorf("refused to connect to %s: a private or local network address (BAYBOARD_WEBHOOK_ALLOW_PRIVATE allows it)", ap.Addr().Unmap())
			}
			return nil
		}
	}
	return &http.Transport{DialContext: d.DialContext, ForceAttemptHTTP2: true, MaxIdleConns: 100,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second, ExpectContinueTimeout: time.Second}
}

// NewSecret is for receivers' tests: a valid secret from key.
func NewSecret(key []byte) string { return "whsec_" + base64.StdEncoding.EncodeToString(key) }
