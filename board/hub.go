// Package board is the realtime side: it reads the event log once per
// instance (woken by LISTEN/NOTIFY, with a periodic catch-up as the safety
// net), fans each event out in memory to the subscribers of its site, replays
// the log for subscribers that resume from a cursor, and serves the embedded
// board and advisor pages. It may import store and shop; never gqlgen.
package board

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
	"bayboard/store"
)

// Update is one message of a feed: an event with the current board card of
// its order (nil when the order left the board) and the site's capacity. A
// Reset update tells the client its cursor is too old: reload the snapshot.
type Update struct {
	Event    *shop.Event
	Card     *shop.Card
	Capacity *store.Capacity
	Reset    bool
}

// Cursor returns the update's position in the log.
func (u *Update) Cursor() int64 {
	if u.Event == nil {
		return 0
	}
	return u.Event.Pos
}

// Options tune the hub; zero values take the defaults.
type Options struct {
	// QueueSize bounds each subscriber's queue; overflow closes it. It is
	// larger than one read of the log (readBatch), so a burst alone never
	// drops a subscriber that keeps up.
	QueueSize int
	// CatchUpInterval is the periodic read that covers a silently dead listener.
	CatchUpInterval time.Duration
	// LateInterval is how often orders past their promised time are marked late.
	LateInterval time.Duration
	// ReplayLimit is the most events replayed to a resuming subscriber; more means reset.
	ReplayLimit int
	// Retention is how far back a cursor may resume; older means reset.
	Retention time.Duration
}

func (o *Options) defaults() {
	if o.QueueSize <= 0 {
		o.QueueSize = 1024
	}
	if o.CatchUpInterval <= 0 {
		o.CatchUpInterval = 2 * time.Second
	}
	if o.LateInterval <= 0 {
		o.LateInterval = 30 * time.Second
	}
	if o.ReplayLimit <= 0 {
		o.ReplayLimit = 5000
	}
	if o.Retention <= 0 {
		o.Retention = 24 * time.Hour
	}
}

// Stats are the hub's counters, for metrics and tests.
type Stats struct {
	Reads              atomic.Int64 // log reads (statements reading events)
	EventsRead         atomic.Int64
	Delivered          atomic.Int64 // updates queued to subscribers
	Dropped            atomic.Int64 // subscribers closed for being too slow
	ListenerReconnects atomic.Int64
	Subscribers        atomic.Int64
}

// readBatch is the most events one read of the log returns.
const readBatch = 500

// Hub reads the event log and fans it out.
type Hub struct {
	db   *store.DB
	log  *slog.Logger
	opts Options
	// Stats counts what the hub did.
	Stats Stats

	wake chan struct{}

	mu        sync.Mutex
	head      int64 // last position read from the log
	started   bool
	subs      map[shop.SiteID]map[*sub]struct{}
	listening atomic.Bool
}

type sub struct {
	site shop.SiteID
	live chan *Update
	once sync.Once
	done chan struct{}
}

func (s *sub) close() { s.once.Do(func() { close(s.done) }) }

// NewHub returns a hub over db; call Run to start it.
func NewHub(db *store.DB, log *slog.Logger, opts Options) *Hub {
	opts.defaults()
	return &Hub{db: db, log: log, opts: opts, wake: make(chan struct{}, 1), subs: map[shop.SiteID]map[*sub]struct{}{}}
}

// Listening reports whether the LISTEN connection is up (for /readyz).
func (h *Hub) Listening() bool { return h.listening.Load() }

// Wake asks the hub to read the log now.
func (h *Hub) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run reads the log until ctx ends. It starts from the log's head: history
// before that is replayed per subscriber from the database.
func (h *Hub) Run(ctx context.Context) error {
	head, err := h.db.LogHead(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.head, h.started = head, true
	h.mu.Unlock()
	defer h.closeAll()

	listener := pq.NewListener(h.db.DSN(), 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventConnected:
			h.listening.Store(true)
		case pq.ListenerEventReconnected:
			h.listening.Store(true)
			h.Stats.ListenerReconnects.Add(1)
		case pq.ListenerEventDisconnected, pq.ListenerEventConnectionAttemptFailed:
			h.listening.Store(false)
			if err != nil {
				h.log.Warn("event listener disconnected", "error", err)
			}
		}
	})
	defer listener.Close()
	// Listen blocks until a connection exists; closing the listener when ctx
	// ends keeps a server whose database is down from hanging at shutdown.
	stopListener := context.AfterFunc(ctx, func() { listener.Close() })
	defer stopListener()
	for _, ch := range []string{store.ChannelEvents, store.ChannelSequenced} {
		if err := listener.Listen(ch); err != nil {
			return err
		}
	}
	h.listening.Store(true)
	// Drain notifications in their own goroutine: a nil one (after a
	// reconnect) means "you may have missed some", which a read covers too.
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-listener.Notify:
				if !ok {
					return
				}
				h.Wake()
			}
		}
	}()

	tick := time.NewTicker(h.opts.CatchUpInterval)
	defer tick.Stop()
	late := time.NewTicker(h.opts.LateInterval)
	defer late.Stop()
	h.Wake()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.wake:
		case <-tick.C:
		case <-late.C:
			if _, err := h.db.MarkLateOrders(ctx); err != nil && ctx.Err() == nil {
				h.log.Error("mark late orders", "error", err)
			}
			if _, err := h.db.RunFollowUpRules(ctx); err != nil && ctx.Err() == nil {
				h.log.Error("callback and complaint rules", "error", err)
			}
		}
		if err := h.catchUp(ctx); err != nil && ctx.Err() == nil {
			h.log.Error("read event log", "error", err)
		}
	}
}

// catchUp sequences committed events and fans out everything after head.
func (h *Hub) catchUp(ctx context.Context) error {
	n, err := h.db.SequenceEvents(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		// Events may wait for an older transaction (any on the server) to
		// finish: look again soon rather than at the next catch-up tick.
		if waiting, err := h.db.EventsWaiting(ctx); err == nil && waiting {
			time.AfterFunc(50*time.Millisecond, h.Wake)
		}
	}
	for {
		h.mu.Lock()
		head := h.head
		h.mu.Unlock()
		h.Stats.Reads.Add(1)
		evs, err := h.db.ReadEventLog(ctx, head, readBatch)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		h.Stats.EventsRead.Add(int64(len(evs)))
		if err := h.fanOut(ctx, evs); err != nil {
			return err
		}
		h.mu.Lock()
		h.head = evs[len(evs)-1].Pos
		h.mu.Unlock()
		if len(evs) < readBatch {
			return nil
		}
	}
}

// fanOut builds each event's update once (cards and capacity read once per
// site per batch, not per subscriber) and queues it to every subscriber of
// its site. A subscriber whose queue is full is closed, never waited for.
func (h *Hub) fanOut(ctx context.Context, evs []*shop.Event) error {
	bySite := map[shop.SiteID][]*shop.Event{}
	for _, e := range evs {
		bySite[e.SiteID] = append(bySite[e.SiteID], e)
	}
	for site, es := range bySite {
		h.mu.Lock()
		n := len(h.subs[site])
		h.mu.Unlock()
		if n == 0 {
			continue
		}
		ups, err := BuildUpdates(ctx, h.db, site, es)
		if err != nil {
			return err
		}
		h.mu.Lock()
		for s := range h.subs[site] {
			for _, u := range ups {
				select {
				case s.live <- u:
					h.Stats.Delivered.Add(1)
				default:
					h.Stats.Dropped.Add(1)
					h.dropLocked(s)
				}
				if isDone(s) {
					break
				}
			}
		}
		h.mu.Unlock()
	}
	return nil
}

func isDone(s *sub) bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// BuildUpdates turns a site's events into updates with current cards and capacity.
func BuildUpdates(ctx context.Context, db *store.DB, site shop.SiteID, es []*shop.Event) ([]*Update, error) {
	var ids []shop.OrderID
	seen := map[shop.OrderID]bool{}
	for _, e := range es {
		if e.OrderID != nil && !seen[*e.OrderID] {
			seen[*e.OrderID] = true
			ids = append(ids, *e.OrderID)
		}
	}
	cards := map[shop.OrderID]*shop.Card{}
	if len(ids) > 0 {
		cs, err := db.FindCards(ctx, site, ids)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			cards[c.OrderID] = c
		}
	}
	capacity, err := db.SiteCapacity(ctx, site)
	if err != nil {
		return nil, err
	}
	ups := make([]*Update, len(es))
	for i, e := range es {
		u := &Update{Event: e, Capacity: capacity}
		if e.OrderID != nil {
			u.Card = cards[*e.OrderID]
		}
		ups[i] = u
	}
	return ups, nil
}

func (h *Hub) dropLocked(s *sub) {
	if m := h.subs[s.site]; m != nil {
		if _, ok := m[s]; ok {
			delete(m, s)
			h.Stats.Subscribers.Add(-1)
		}
	}
	s.close()
}

// closeAll ends every feed when the hub stops. It also refuses new
// subscribers: a feed taken after this would never be served nor closed.
func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.started = false
	for _, m := range h.subs {
		for s := range m {
			h.dropLocked(s)
		}
	}
}

// ErrNotRunning is returned by Subscribe before Run has started or after it has stopped.
var ErrNotRunning = errors.New("realtime hub is not running")

// Filter selects the events a feed carries.
type Filter func(*shop.Event) bool

// Subscribe follows a site's feed. With after, it first replays every event
// after that cursor from the log, then switches to live without a gap or a
// duplicate (it registers before replaying and drops what it already sent).
// A cursor older than the retention, beyond the replay limit, or ahead of the
// log yields one Reset update and the end of the feed. The channel closes
// when ctx ends, when the subscriber is too slow, or when the hub stops.
func (h *Hub) Subscribe(ctx context.Context, site shop.SiteID, after *int64, filter Filter) (<-chan *Update, error) {
	s := &sub{site: site, live: make(chan *Update, h.opts.QueueSize), done: make(chan struct{})}
	h.mu.Lock()
	if !h.started {
		h.mu.Unlock()
		return nil, ErrNotRunning
	}
	if h.subs[site] == nil {
		h.subs[site] = map[*sub]struct{}{}
	}
	h.subs[site][s] = struct{}{}
	h.Stats.Subscribers.Add(1)
	last := h.head
	h.mu.Unlock()

	out := make(chan *Update, 16)
	go func() {
		defer close(out)
		defer func() {
			h.mu.Lock()
			h.dropLocked(s)
			h.mu.Unlock()
		}()
		send := func(u *Update) bool {
			select {
			case out <- u:
				return true
			case <-ctx.Done():
				return false
			case <-s.done:
				return false
			}
		}
		if after != nil {
			var ok bool
			if last, ok = h.replay(ctx, site, *after, filter, send); !ok {
				return
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.done:
				return
			case u := <-s.live:
				if u.Cursor() <= last {
					continue // already replayed
				}
				last = u.Cursor()
				if filter != nil && !filter(u.Event) {
					continue
				}
				if !send(u) {
					return
				}
			}
		}
	}()
	return out, nil
}

// replay sends the site's events after cursor from the log, returning the
// last position sent (or checked).
func (h *Hub) replay(ctx context.Context, site shop.SiteID, after int64, filter Filter, send func(*Update) bool) (int64, bool) {
	logHead, err := h.db.LogHead(ctx)
	if err != nil {
		return 0, false
	}
	n, tooOld, err := h.db.CountSiteEventsSince(ctx, site, after, h.db.Now().Add(-h.opts.Retention), h.opts.ReplayLimit)
	if err != nil {
		return 0, false
	}
	if after > logHead || tooOld || n > h.opts.ReplayLimit || after < 0 {
		send(&Update{Reset: true})
		return 0, false
	}
	last := after
	for {
		evs, err := h.db.ReadSiteEvents(ctx, site, last, 500)
		if err != nil || len(evs) == 0 {
			return last, err == nil
		}
		ups, err := BuildUpdates(ctx, h.db, site, evs)
		if err != nil {
			return last, false
		}
		for _, u := range ups {
			last = u.Cursor()
			if filter != nil && !filter(u.Event) {
				continue
			}
			if !send(u) {
				return last, false
			}
		}
		if len(evs) < 500 {
			return last, true
		}
	}
}
