// Package board is the realtime side: it reads the event log once per
// instance (woken by LISTEN/NOTIFY, with a periodic catch-up as the safety
// net), fans each event out in memory to the subscribers of its site, replays
// the log for subscribers that resume from a cursor, and serves the embedded
// board and advisor pages. It is the hub only: the timers that apply
// time-based rules (late cars, callbacks) run in package watch. It may import
// store and shop; never gqlgen.
package board

import (
	"context"
	"crypto/rand"
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
	// ReplayLimit is the most events replayed to a resuming subscriber; more means reset.
	ReplayLimit int
	// Retention is how far back a cursor may resume; older means reset.
	Retention time.Duration
	// Recent is how many of the latest updates the hub keeps for replays.
	Recent int
	// Coalesce is the least time between two reads of the log: commits
	// arriving meanwhile are read together. It adds at most that much to
	// an update's delay.
	Coalesce time.Duration
}

func (o *Options) defaults() {
	if o.QueueSize <= 0 {
		o.QueueSize = 1024
	}
	if o.CatchUpInterval <= 0 {
		o.CatchUpInterval = 2 * time.Second
	}
	if o.ReplayLimit <= 0 {
		o.ReplayLimit = 5000
	}
	if o.Retention <= 0 {
		o.Retention = 24 * time.Hour
	}
	if o.Recent <= 0 {
		o.Recent = 4096
	}
	if o.Coalesce <= 0 {
		o.Coalesce = 5 * time.Millisecond
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
	// Rendered counts updates a transport rendered for a subscriber; Shared
	// those it sent from a rendering made for another subscriber of the
	// same shape (see Feed.Rendered).
	Rendered atomic.Int64
	Shared   atomic.Int64
	// ReplayChecks counts the checks of a resuming cursor with its first
	// page read from the log; resumers sharing one are not counted again.
	ReplayChecks atomic.Int64
	// OwnWakeups counts the hub's own sequencing NOTIFYs it skipped.
	OwnWakeups atomic.Int64
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
	// name tags the hub's NOTIFY on store.ChannelSequenced, so that it
	// skips its own: unique per hub, even for hubs sharing one *store.DB.
	name string

	recent  recentUpdates
	replays replayFlights

	// after is time.After; tests hold the hub before a pass with it
	// (export_test.go), to place commits in the coalescing wait.
	after func(time.Duration) <-chan time.Time

	mu        sync.Mutex
	head      int64 // last position read from the log
	started   bool
	subs      map[shop.SiteID]map[*sub]struct{}
	listening atomic.Bool
}

// sub is one subscriber's place in the hub: a queue the hub appends to
// and its Feed drains. The queue holds nothing while the subscriber keeps
// up, so an idle subscriber costs a few words, not a preallocated buffer.
type sub struct {
	site   shop.SiteID
	limit  int
	mu     sync.Mutex
	queue  []*Update
	signal chan struct{} // capacity 1: the queue has something
	once   sync.Once
	done   chan struct{}
	// notify, when set (Feed.OnReady), is called after every push and on
	// close: a transport that waits on no goroutine learns there is work.
	notify atomic.Pointer[func()]
}

func (s *sub) close() {
	s.once.Do(func() {
		close(s.done)
		s.wake()
	})
}

// wake calls the subscriber's notify, if any.
func (s *sub) wake() {
	if fn := s.notify.Load(); fn != nil {
		(*fn)()
	}
}

// queued reports whether the queue holds something; any goroutine may ask.
func (s *sub) queued() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) > 0
}

// push queues ups; false when that would exceed the subscriber's limit.
func (s *sub) push(ups []*Update) bool {
	s.mu.Lock()
	if len(s.queue)+len(ups) > s.limit {
		s.mu.Unlock()
		return false
	}
	s.queue = append(s.queue, ups...)
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
	s.wake()
	return true
}

// take returns what is queued, if anything, and gives the queue buf
// (emptied) to fill next: the two buffers alternate, never shared.
func (s *sub) take(buf []*Update) []*Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	if len(q) == 0 {
		return nil
	}
	s.queue = buf[:0]
	return q
}

// NewHub returns a hub over db; call Run to start it.
func NewHub(db *store.DB, log *slog.Logger, opts Options) *Hub {
	opts.defaults()
	return &Hub{db: db, log: log, opts: opts, wake: make(chan struct{}, 1), subs: map[shop.SiteID]map[*sub]struct{}{},
		recent: recentUpdates{size: opts.Recent}, after: time.After, name: rand.Text()}
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
	// The hub's own sequencing wake-up is skipped: the pass that sent it
	// reads the log after sequencing (an extra pass would find nothing).
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case n, ok := <-listener.Notify:
				if !ok {
					return
				}
				if n != nil && n.Channel == store.ChannelSequenced && n.Extra == h.name {
					h.Stats.OwnWakeups.Add(1)
					continue
				}
				h.Wake()
			}
		}
	}()

	tick := time.NewTicker(h.opts.CatchUpInterval)
	defer tick.Stop()
	h.Wake()
	var lastPass time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.wake:
		case <-tick.C:
		}
		// Passes at most every Coalesce: under a stream of commits one pass
		// sequences and reads several events instead of one each.
		if d := h.opts.Coalesce - time.Since(lastPass); d > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-h.after(d):
			}
		}
		lastPass = time.Now()
		if err := h.catchUp(ctx); err != nil && ctx.Err() == nil {
			h.log.Error("read event log", "error", err)
		}
	}
}

// catchUp sequences committed events and fans out everything after head.
func (h *Hub) catchUp(ctx context.Context) error {
	n, err := h.db.SequenceEventsFor(ctx, h.name)
	if err != nil {
		return err
	}
	if n == 0 {
		// Committed events may wait while another instance's sequencer
		// holds the lock: look again soon rather than at the next tick.
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
		for i, u := range ups {
			ups[i] = h.recent.add(u)
		}
		h.mu.Lock()
		for s := range h.subs[site] {
			if s.push(ups) {
				h.Stats.Delivered.Add(int64(len(ups)))
			} else {
				h.Stats.Dropped.Add(1)
				h.dropLocked(s)
			}
		}
		h.mu.Unlock()
	}
	return nil
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

// ErrNotRunning is returned by Follow before Run has started or after it has stopped.
var ErrNotRunning = errors.New("realtime hub is not running")

// Filter selects the events a feed carries.
type Filter func(*shop.Event) bool

// Follow follows a site's feed. With after, it first replays every event
// after that cursor from the log, then switches to live without a gap or a
// duplicate (it registers before replaying and drops what it already sent).
// A cursor older than the retention, beyond the replay limit, or ahead of the
// log yields one Reset update and the end of the feed. The feed ends when
// ctx does, when the subscriber is too slow (its queue overflows), or when
// the hub stops. It takes no goroutine: the caller's Next does the work.
func (h *Hub) Follow(ctx context.Context, site shop.SiteID, after *int64, filter Filter) (*Feed, error) {
	s := &sub{site: site, limit: h.opts.QueueSize, signal: make(chan struct{}, 1), done: make(chan struct{})}
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
	f := &Feed{h: h, s: s, filter: filter, last: last, joined: last}
	if after != nil {
		f.replaying, f.last = true, *after
	}
	f.stop = context.AfterFunc(ctx, f.Close)
	return f, nil
}

// Feed is one subscriber's feed. Next is called from one goroutine at a time.
type Feed struct {
	h         *Hub
	s         *sub
	filter    Filter
	stop      func() bool
	last      int64 // cursor of the last update sent (or skipped by the filter)
	joined    int64 // the hub's head when the feed joined: the live queue has what came after
	replaying bool  // the log after last is still to be read
	checked   bool  // the replay's cursor has been checked
	ended     bool
	pending   []*Update // taken from the queue (or the log), not yet sent
	spare     []*Update // the queue's next buffer
}

// Rendered counts one update sent by the feed's transport: rendered for
// this subscriber, or shared from another's rendering.
func (f *Feed) Rendered(shared bool) {
	if shared {
		f.h.Stats.Shared.Add(1)
	} else {
		f.h.Stats.Rendered.Add(1)
	}
}

// Close ends the feed and takes it off the hub; it is safe to call more than once.
func (f *Feed) Close() {
	f.h.mu.Lock()
	f.h.dropLocked(f.s)
	f.h.mu.Unlock()
}

// Next returns the feed's next update, waiting for one; false once the feed
// has ended (after a Reset update, when ctx ends, when the subscriber was
// too slow, or when the hub stopped).
func (f *Feed) Next(ctx context.Context) (*Update, bool) {
	for !f.ended {
		for len(f.pending) > 0 {
			u := f.pending[0]
			f.pending[0] = nil
			f.pending = f.pending[1:]
			if u.Reset {
				f.end()
				return u, true
			}
			if u.Cursor() <= f.last {
				continue // already replayed
			}
			f.last = u.Cursor()
			if f.filter != nil && !f.filter(u.Event) {
				continue
			}
			return u, true
		}
		if ctx.Err() != nil || isClosed(f.s.done) {
			break
		}
		if f.replaying {
			if err := f.readLog(ctx); err != nil {
				break
			}
			continue
		}
		if q := f.s.take(f.spare); len(q) > 0 {
			f.spare, f.pending = f.pending[:0], q
			continue
		}
		select {
		case <-ctx.Done():
		case <-f.s.done:
		case <-f.s.signal:
		}
	}
	f.end()
	return nil, false
}

// OnReady has fn called whenever the feed may have become ready (an update
// queued, the feed closed): from the hub's goroutine or any other, so fn
// must return at once. A transport that drives the feed with Ready instead
// of waiting in Next holds no goroutine per feed while it is idle. Call it
// before the first Ready: what was queued before is found by that call.
func (f *Feed) OnReady(fn func()) {
	f.s.notify.Store(&fn)
}

// Ready reports whether Next would return now, without waiting for the
// hub: an update to send is queued (updates the feed's filter skips, or
// that a replay sent already, are passed over here as Next would), or the
// feed has ended. A replay's pages are read here, as Next would read them.
// Call it from the goroutine that calls Next.
func (f *Feed) Ready(ctx context.Context) bool {
	for {
		if f.ended || ctx.Err() != nil || isClosed(f.s.done) {
			return true
		}
		for len(f.pending) > 0 {
			u := f.pending[0]
			if u.Reset {
				return true
			}
			if u.Cursor() > f.last && (f.filter == nil || f.filter(u.Event)) {
				return true
			}
			if u.Cursor() > f.last {
				f.last = u.Cursor() // filtered out: Next would skip it too
			}
			f.pending[0] = nil
			f.pending = f.pending[1:]
		}
		if f.replaying {
			if err := f.readLog(ctx); err != nil {
				return true // Next fails the same way and ends the feed
			}
			continue
		}
		q := f.s.take(f.spare)
		if len(q) == 0 {
			return false
		}
		f.spare, f.pending = f.pending[:0], q
	}
}

// Pending reports whether the hub queued something for the feed or ended
// it since the last Ready; unlike Ready, any goroutine may call it (a
// transport re-checks with it after it stopped draining, so that a wake
// between its last Ready and its stopping is not lost).
func (f *Feed) Pending() bool {
	return isClosed(f.s.done) || f.s.queued()
}

func (f *Feed) end() {
	if !f.ended {
		f.ended = true
		f.stop()
		f.Close()
		f.pending, f.spare = nil, nil
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// readLog reads the next page of the replay into pending; the first call
// checks the cursor and queues a Reset when it cannot be resumed.
func (f *Feed) readLog(ctx context.Context) error {
	h, site := f.h, f.s.site
	if !f.checked {
		f.checked = true
		// Subscribers resuming from the same cursor (every board of a site
		// after a restart) share one check and first page.
		r, err := h.replays.first(ctx, h, site, f.last, f.joined)
		if err != nil {
			return err
		}
		if r.reset {
			f.replaying = false
			f.pending = append(f.pending, &Update{Reset: true})
			return nil
		}
		if len(r.ups) < replayPage {
			f.replaying = false
		}
		f.pending = append(f.pending, r.ups...)
		return nil
	}
	evs, err := h.db.ReadSiteEvents(ctx, site, f.last, replayPage)
	if err != nil {
		return err
	}
	if len(evs) < replayPage {
		f.replaying = false
	}
	if len(evs) == 0 {
		return nil
	}
	ups, err := h.updatesOf(ctx, site, evs)
	if err != nil {
		return err
	}
	f.pending = append(f.pending, ups...)
	return nil
}

// updatesOf turns replayed events into updates. Subscribers resuming
// together (after a restart, say) share the updates, and so their
// renderings, instead of each building its own.
func (h *Hub) updatesOf(ctx context.Context, site shop.SiteID, evs []*shop.Event) ([]*Update, error) {
	ups := make([]*Update, len(evs))
	var missing []*shop.Event
	for i, e := range evs {
		if ups[i] = h.recent.get(e.Pos); ups[i] == nil {
			missing = append(missing, e)
		}
	}
	if len(missing) > 0 {
		built, err := BuildUpdates(ctx, h.db, site, missing)
		if err != nil {
			return nil, err
		}
		j := 0
		for i := range ups {
			if ups[i] == nil {
				ups[i] = h.recent.add(built[j])
				j++
			}
		}
	}
	return ups, nil
}

// recentUpdates keeps the hub's latest updates by log position, at most size.
type recentUpdates struct {
	size  int
	mu    sync.Mutex
	byPos map[int64]*Update
	order []int64 // positions, oldest first (a ring once full)
	next  int
}

func (r *recentUpdates) get(pos int64) *Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byPos[pos]
}

// add keeps u, unless an update of its position is kept already: that one
// is returned, so that every subscriber gets the same.
func (r *recentUpdates) add(u *Update) *Update {
	if u.Event == nil {
		return u
	}
	pos := u.Event.Pos
	r.mu.Lock()
	defer r.mu.Unlock()
	if have := r.byPos[pos]; have != nil {
		return have
	}
	if r.byPos == nil {
		r.byPos = make(map[int64]*Update, r.size)
	}
	if len(r.order) < r.size {
		r.order = append(r.order, pos)
	} else {
		delete(r.byPos, r.order[r.next])
		r.order[r.next] = pos
		r.next = (r.next + 1) % r.size
	}
	r.byPos[pos] = u
	return u
}

// replayFlights shares the start of replays: the check of a cursor and the
// first page of the site's events after it. Resumers with the same cursor
// and site while one reads it wait for that read; a read done is kept (the
// latest few) and served to a later resumer as long as it covers what that
// resumer's live queue lacks: everything up to the hub's head when it
// joined. So a storm of screens resuming after a restart costs a handful
// of statements, not three per screen.
type replayFlights struct {
	mu      sync.Mutex
	flights map[replayKey]*replayFlight
	order   []*replayFlight // oldest first; a flight replaced or failed stays until its turn, but is no longer in flights
}

type replayKey struct {
	site  shop.SiteID
	after int64
}

type replayFlight struct {
	key   replayKey
	done  chan struct{}
	cover int64 // the read has every event of the site up to here
	reset bool
	ups   []*Update // the first page; shared, never changed
	err   error
}

// keptFlights is how many finished reads replayFlights keeps.
const keptFlights = 64

// first returns the check and first page of a replay of site after
// cursor after, for a feed that joined the hub at head joined.
func (rf *replayFlights) first(ctx context.Context, h *Hub, site shop.SiteID, after, joined int64) (*replayFlight, error) {
	key := replayKey{site, after}
	rf.mu.Lock()
	if f := rf.flights[key]; f != nil && f.cover >= joined {
		rf.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err == nil {
			return f, nil
		}
		// The reader failed (its client went, say): read for ourselves.
		return h.readFirst(ctx, site, after, joined)
	}
	// Until the read knows better it covers what this feed needs.
	f := &replayFlight{key: key, done: make(chan struct{}), cover: joined}
	if rf.flights == nil {
		rf.flights = map[replayKey]*replayFlight{}
	}
	rf.flights[key] = f
	rf.order = append(rf.order, f)
	for len(rf.order) > keptFlights {
		if old := rf.order[0]; rf.flights[old.key] == old {
			delete(rf.flights, old.key)
		}
		rf.order = rf.order[1:]
	}
	rf.mu.Unlock()
	r, err := h.readFirst(ctx, site, after, joined)
	rf.mu.Lock()
	if err == nil {
		f.cover, f.reset, f.ups = r.cover, r.reset, r.ups
	} else if rf.flights[key] == f {
		delete(rf.flights, key) // the next resumer reads again
	}
	f.err = err
	rf.mu.Unlock()
	close(f.done)
	return f, err
}

// readFirst checks the cursor and reads the first page of the replay.
func (h *Hub) readFirst(ctx context.Context, site shop.SiteID, after, joined int64) (*replayFlight, error) {
	h.Stats.ReplayChecks.Add(1)
	logHead, err := h.db.LogHead(ctx)
	if err != nil {
		return nil, err
	}
	r := &replayFlight{cover: max(joined, logHead)}
	n, tooOld, err := h.db.CountSiteEventsSince(ctx, site, after, h.db.Now().Add(-h.opts.Retention), h.opts.ReplayLimit)
	if err != nil {
		return nil, err
	}
	if after > logHead || tooOld || n > h.opts.ReplayLimit || after < 0 {
		r.reset = true
		return r, nil
	}
	evs, err := h.db.ReadSiteEvents(ctx, site, after, replayPage)
	if err != nil {
		return nil, err
	}
	r.ups, err = h.updatesOf(ctx, site, evs)
	return r, err
}

// replayPage is the most events one read of a replay returns.
const replayPage = 500
