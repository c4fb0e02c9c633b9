package board_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"

	"bayboard/board"
	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// checks bounds every wait of these tests on a condition: it is checked at
// most that many times, a tick apart. The bound guards against hanging, never
// decides a pass: what passes is the condition (the received history matching
// the log), however long the machine takes to get there, and nothing here
// measures time. Waits on a channel need no bound (go test -timeout is the
// guard, and prints where it hung).
const (
	checks = 4000
	tick   = 5 * time.Millisecond
)

// eventually checks cond until it holds, at most checks times; false if it
// never did. The ticker only spaces the checks.
func eventually(cond func() bool) bool {
	tk := time.NewTicker(tick)
	defer tk.Stop()
	for i := 1; !cond(); i++ {
		if i == checks {
			return false
		}
		<-tk.C
	}
	return true
}

// poll is eventually, failing the test when cond never held.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !eventually(cond) {
		t.Fatalf("%s: still not so after %d checks", what, checks)
	}
}

// fast are hub options that keep the tests quick.
var fast = board.Options{CatchUpInterval: 200 * time.Millisecond}

// entry is one event as a subscriber saw it, or as the log holds it.
type entry struct {
	ID  shop.EventID
	Pos int64
}

func (e entry) String() string { return fmt.Sprintf("%d@%d", e.ID, e.Pos) }

func list(es []entry) string {
	if len(es) > 40 {
		return fmt.Sprintf("%v … %v (%d)", es[:20], es[len(es)-20:], len(es))
	}
	return fmt.Sprint(es)
}

// env is one test's database: the store, a raw connection of the test's own
// (its statements do not count in db.Statements(), and it is how the test
// reads the committed log), and the fixture workshop.
type env struct {
	t    *testing.T
	db   *store.DB
	raw  *sql.DB
	f    *storetest.Fixture
	site shop.SiteID
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	raw, err := sql.Open("postgres", db.DSN())
	if err != nil {
		t.Fatalf("open raw connection: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	return &env{t: t, db: db, raw: raw, f: f, site: f.Site.ID}
}

// emit commits n events of the site, each in its own transaction with its
// NOTIFY, as a mutation does, through the test's own connection.
func (e *env) emit(n int) []shop.EventID {
	e.t.Helper()
	ids := make([]shop.EventID, n)
	for i := range ids {
		if err := e.raw.QueryRow(`
			WITH ev AS (
				INSERT INTO events (site_id, kind, summary, at) VALUES ($1, $2, 'test', now()) RETURNING id
			)
			SELECT id FROM ev CROSS JOIN LATERAL (SELECT pg_notify($3, '')) n`,
			e.site, shop.EventJobProgress, store.ChannelEvents).Scan(&ids[i]); err != nil {
			e.t.Errorf("emit event: %v", err)
			return ids[:i]
		}
	}
	return ids
}

// logSince returns the site's committed log after pos, in log order, and
// how many of the site's committed events had no position yet. It counts
// those first: once none is left (and nothing more commits), the log read
// next holds every event.
func (e *env) logSince(after int64) (log []entry, pending int) {
	e.t.Helper()
	if err := e.raw.QueryRow(`SELECT count(*) FROM events WHERE site_id = $1 AND pos IS NULL`, e.site).Scan(&pending); err != nil {
		e.t.Fatalf("count unsequenced: %v", err)
	}
	rows, err := e.raw.Query(`SELECT id, pos FROM events WHERE site_id = $1 AND pos > $2 ORDER BY pos`, e.site, after)
	if err != nil {
		e.t.Fatalf("read log: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x entry
		if err := rows.Scan(&x.ID, &x.Pos); err != nil {
			e.t.Fatalf("read log: %v", err)
		}
		log = append(log, x)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatalf("read log: %v", err)
	}
	return log, pending
}

// settle sequences every committed event and returns the log's head.
func (e *env) settle() int64 {
	e.t.Helper()
	var head int64
	// While another transaction of the cluster is older than ours, our
	// events wait for it: check again.
	poll(e.t, "every event sequenced", func() bool {
		if _, err := e.db.SequenceEvents(context.Background()); err != nil {
			e.t.Fatalf("sequence: %v", err)
		}
		var pending int
		if err := e.raw.QueryRow(`SELECT count(*) FILTER (WHERE pos IS NULL), COALESCE(max(pos), 0) FROM events`).Scan(&pending, &head); err != nil {
			e.t.Fatalf("log head: %v", err)
		}
		return pending == 0
	})
	return head
}

// waitLog waits until r has received every event of the site's log after
// pos, then requires its history to be the log exactly: every event once, in
// log order, nothing else. Call it once no more events are being committed.
func (e *env) waitLog(who string, r *recorder, after int64) []entry {
	e.t.Helper()
	var got, want []entry
	var pending int
	if !eventually(func() bool {
		want, pending = e.logSince(after)
		got = r.entries()
		return pending == 0 && len(got) >= len(want)
	}) {
		e.t.Fatalf("%s received %d of %d events (%d unsequenced) after %d checks:\ngot  %s\nwant %s",
			who, len(got), len(want), pending, checks, list(got), list(want))
	}
	if !slices.Equal(got, want) {
		e.t.Fatalf("%s received %s,\nwant the log %s", who, list(got), list(want))
	}
	return got
}

// startHub makes a hub with opts and runs it (runHub).
func startHub(t *testing.T, db *store.DB, opts board.Options) (h *board.Hub, stop func()) {
	t.Helper()
	h = board.NewHub(db, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})), opts)
	return h, runHub(t, h)
}

// runHub runs h until the test ends (or stop is called) and waits for its
// listener.
func runHub(t *testing.T, h *board.Hub) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("hub run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	poll(t, "the hub listening", h.Listening)
	return stop
}

// recorder keeps what a subscriber received, over one or more subscriptions.
type recorder struct {
	mu     sync.Mutex
	got    []entry
	resets int
	next   chan struct{} // closed at the next update, when someone waits for it
}

func (r *recorder) add(u *board.Update) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next != nil {
		close(r.next)
		r.next = nil
	}
	if u.Reset {
		r.resets++
		return
	}
	r.got = append(r.got, entry{u.Event.ID, u.Event.Pos})
}

// changed returns a channel closed when the next update is recorded.
func (r *recorder) changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next == nil {
		r.next = make(chan struct{})
	}
	return r.next
}

func (r *recorder) entries() []entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// last is the cursor of the last update received, or def before any.
func (r *recorder) last(def int64) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.got) == 0 {
		return def
	}
	return r.got[len(r.got)-1].Pos
}

func (r *recorder) resetCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resets
}

// subscribe follows a site's feed as a channel, fed by a goroutine of its
// own, as the tests read it; the channel closes when the feed ends.
func subscribe(ctx context.Context, h *board.Hub, site shop.SiteID, after *int64) (<-chan *board.Update, error) {
	f, err := h.Follow(ctx, site, after, nil)
	if err != nil {
		return nil, err
	}
	out := make(chan *board.Update, 16)
	go func() {
		defer close(out)
		defer f.Close()
		for {
			u, ok := f.Next(ctx)
			if !ok {
				return
			}
			select {
			case out <- u:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// mustSubscribe follows a site until the test ends.
func mustSubscribe(t *testing.T, h *board.Hub, site shop.SiteID, after *int64) <-chan *board.Update {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := subscribe(ctx, h, site, after)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	return ch
}

// follow records every update of ch; done closes when ch does.
func follow(ch <-chan *board.Update) (r *recorder, done chan struct{}) {
	r, done = &recorder{}, make(chan struct{})
	go func() {
		defer close(done)
		for u := range ch {
			r.add(u)
		}
	}()
	return r, done
}

// instance is the hub the clients reach, as a load balancer's address: a
// restart puts another hub behind it.
type instance struct {
	mu      sync.Mutex
	hub     *board.Hub
	changed chan struct{} // closed when another hub takes over
}

func newInstance(h *board.Hub) *instance { return &instance{hub: h, changed: make(chan struct{})} }

// get returns the current hub and a channel closed when it is replaced.
func (i *instance) get() (*board.Hub, <-chan struct{}) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.hub, i.changed
}

func (i *instance) set(h *board.Hub) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.hub = h
	close(i.changed)
	i.changed = make(chan struct{})
}

// client follows a site's feed the way a board screen does: when its feed
// closes it subscribes again after the last cursor it received, on whichever
// hub the instance has by then (retrying when another takes over while none
// runs).
type client struct {
	recorder
	attempts      atomic.Int64 // calls of Subscribe
	subscriptions atomic.Int64 // successful ones
	done          <-chan struct{}
}

func startClient(ctx context.Context, t *testing.T, in *instance, site shop.SiteID, after int64) *client {
	c := &client{}
	c.done = background(t, func(stop context.Context) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		context.AfterFunc(stop, cancel)
		for ctx.Err() == nil {
			cur := c.last(after)
			c.attempts.Add(1)
			h, changed := in.get()
			ch, err := subscribe(ctx, h, site, &cur)
			if err != nil {
				if !errors.Is(err, board.ErrNotRunning) {
					t.Errorf("subscribe: %v", err)
					return
				}
				select { // this hub has stopped: retry when another takes over
				case <-changed:
				case <-ctx.Done():
				}
				continue
			}
			c.subscriptions.Add(1)
			for u := range ch {
				c.add(u)
			}
			if c.resetCount() > 0 {
				return // a reset would loop for ever; the test reports it
			}
		}
	})
	return c
}

// emitAhead commits events one by one in the background, never more than
// lead ahead of what r has received, until stop closes or limit are committed
// (0: no max). It counts them in emitted; done closes when it ends.
func (e *env) emitAhead(t *testing.T, r *recorder, lead, limit int, stop <-chan struct{}) (emitted *atomic.Int64, done <-chan struct{}) {
	emitted = &atomic.Int64{}
	done = background(t, func(ctx context.Context) {
		for limit == 0 || emitted.Load() < int64(limit) {
			changed := r.changed()
			if emitted.Load() >= int64(r.len()+lead) {
				select { // far enough ahead: wait for the subscriber
				case <-stop:
					return
				case <-ctx.Done():
					return
				case <-changed:
				}
				continue
			}
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			default:
			}
			emitted.Add(int64(len(e.emit(1))))
		}
	})
	return emitted, done
}

// background runs fn in a goroutine until it returns or the test ends; then
// its ctx is cancelled and it is waited for, before the database goes away.
func background(t *testing.T, fn func(ctx context.Context)) (done <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	d := make(chan struct{})
	go func() {
		defer close(d)
		fn(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-d
	})
	return d
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	poll(t, "waiting for "+what, cond)
}

// expectClosed reads ch until it closes and returns what was still queued
// in it. A channel that never closes hangs the test until go test's
// -timeout, which names this line.
func expectClosed(t *testing.T, who string, ch <-chan *board.Update) []*board.Update {
	t.Helper()
	var rest []*board.Update
	for u := range ch {
		rest = append(rest, u)
	}
	return rest
}

// TestHubLateCommit is the test the design starts from: A inserts its event
// first and commits last, B inserts and commits in between, the reader runs
// in between too. Positions follow commit order: B gets its position and is
// delivered while A is open (an open transaction holds no feed back), and A,
// once committed, gets a later position and is delivered after B: nothing is
// stepped over, because readers follow positions, never IDs.
func TestHubLateCommit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	head := e.settle()

	// The stepped hub reads only when told to, so the read can be placed
	// between B's commit and A's; the running hub follows the real
	// wake-ups at the same time.
	stepped := board.NewHub(e.db, slog.New(slog.DiscardHandler), board.Options{})
	if err := stepped.StartStepped(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	steppedFeed, _ := follow(mustSubscribe(t, stepped, e.site, nil))
	running, _ := startHub(t, e.db, fast)
	runningFeed, _ := follow(mustSubscribe(t, running, e.site, &head))

	// A inserts its event and waits.
	txA, err := e.raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("begin A: %v", err)
	}
	defer txA.Rollback()
	var idA, idB shop.EventID
	if err := txA.QueryRow(`INSERT INTO events (site_id, kind, summary, at) VALUES ($1, 'JOB_STARTED', 'A', now()) RETURNING id`, e.site).Scan(&idA); err != nil {
		t.Fatalf("insert A: %v", err)
	}
	if _, err := txA.Exec(`SELECT pg_notify($1, '')`, store.ChannelEvents); err != nil {
		t.Fatalf("notify A: %v", err)
	}
	// B inserts and commits.
	idB = e.emit(1)[0]
	if idB <= idA {
		t.Fatalf("id B=%d, want after A=%d (A took its id first)", idB, idA)
	}
	// The hazard: B is visible and A is not, so a reader keeping "the
	// highest id seen" would move past A now and never see it.
	var visible []int64
	if err := e.raw.QueryRow(`SELECT array_agg(id ORDER BY id) FROM events WHERE id IN ($1, $2)`, idA, idB).Scan(pq.Array(&visible)); err != nil {
		t.Fatalf("visible: %v", err)
	}
	if !slices.Equal(visible, []int64{int64(idB)}) {
		t.Fatalf("visible=%v, want only B=%d while A is open", visible, idB)
	}

	// The sequencer and the reader run while A is open. The running hub
	// sequences too: while it holds the sequencer's lock this call gives
	// none, so look until B has its position (it never would if an open
	// transaction held the feeds back).
	waitFor(t, "B's position while the unrelated A is open", func() bool {
		if _, err := e.db.SequenceEvents(ctx); err != nil {
			t.Fatalf("sequence: %v", err)
		}
		var posB sql.NullInt64
		if err := e.raw.QueryRow(`SELECT pos FROM events WHERE id = $1`, idB).Scan(&posB); err != nil {
			t.Fatalf("pos of B: %v", err)
		}
		return posB.Valid
	})
	if err := stepped.CatchUp(ctx); err != nil {
		t.Fatalf("catch up: %v", err)
	}
	if n := stepped.Stats.Delivered.Load(); n != 1 {
		t.Fatalf("delivered=%d before A commits, want 1 (B)", n)
	}

	// A commits; the reader delivers A after B, at a later position.
	if err := txA.Commit(); err != nil {
		t.Fatalf("commit A: %v", err)
	}
	waitFor(t, "the stepped hub to deliver A and B", func() bool {
		if err := stepped.CatchUp(ctx); err != nil {
			t.Fatalf("catch up: %v", err)
		}
		return steppedFeed.len() >= 2
	})
	got := e.waitLog("stepped subscriber", steppedFeed, head)
	if len(got) != 2 || got[0].ID != idB || got[1].ID != idA || got[0].Pos >= got[1].Pos {
		t.Fatalf("received %v, want B=%d then A=%d (commit order) with growing positions", got, idB, idA)
	}
	e.waitLog("running subscriber", runningFeed, head)

	// A resuming subscriber replays the same history from the log.
	replayed, _ := follow(mustSubscribe(t, running, e.site, &head))
	e.waitLog("replaying subscriber", replayed, head)
}

// TestHubListenerKilled kills the LISTEN connection twice while mutations
// flow: the listener reconnects, and the subscriber still gets every event
// once, in order.
func TestHubListenerKilled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	car := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	tech := storetest.Ctx(e.f.Tech)
	job := car.Jobs[0].ID
	if _, err := e.db.StartJob(tech, store.JobRef{JobID: job}); err != nil {
		t.Fatalf("start job: %v", err)
	}
	head := e.settle()
	h, _ := startHub(t, e.db, fast)
	feed, _ := follow(mustSubscribe(t, h, e.site, &head))

	stop := make(chan struct{})
	var n int
	mutating := background(t, func(ctx context.Context) {
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			default:
			}
			var err error
			if n%2 == 0 {
				_, err = e.db.PauseJob(tech, store.PauseJobInput{JobID: job, Reason: shop.PauseWaitingParts})
			} else {
				_, err = e.db.ResumeJob(tech, store.JobRef{JobID: job})
			}
			if err != nil {
				t.Errorf("mutation %d: %v", n, err)
				return
			}
			n++
		}
	})

	for kill := 1; kill <= 2; kill++ {
		seen := feed.len()
		waitFor(t, "events to flow", func() bool { return feed.len() >= seen+10 })
		if n := e.killListener(); n < 1 {
			t.Fatalf("terminated %d listener backends, want the hub's", n)
		}
		waitFor(t, "the listener to reconnect", func() bool { return h.Stats.ListenerReconnects.Load() >= int64(kill) })
	}
	seen := feed.len()
	waitFor(t, "events to flow after the reconnects", func() bool { return feed.len() >= seen+10 })
	close(stop)
	<-mutating
	e.waitLog("subscriber", feed, head)
	if got := h.Stats.ListenerReconnects.Load(); got < 2 {
		t.Fatalf("ListenerReconnects=%d, want ≥ 2", got)
	}
	t.Logf("%d mutations, %d events, %d log reads, %d reconnects", n, feed.len(), h.Stats.Reads.Load(), h.Stats.ListenerReconnects.Load())
}

// killListener terminates the hub's LISTEN backend in this test's database
// (lib/pq's Listener last ran LISTEN "bayboard_…" on it) and returns how
// many backends it terminated.
func (e *env) killListener() int {
	e.t.Helper()
	var n int
	if err := e.raw.QueryRow(`
		SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
		FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()
		  AND backend_type = 'client backend' AND query LIKE 'LISTEN "bayboard_%'`).Scan(&n); err != nil {
		e.t.Fatalf("terminate listener: %v", err)
	}
	return n
}

// TestHubTwoInstances runs two hubs on one database, as two instances behind
// a load balancer: what commits through one instance's store reaches the
// subscribers of the other, and the other way round.
func TestHubTwoInstances(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	db2, err := store.Open(context.Background(), e.db.DSN(), 5)
	if err != nil {
		t.Fatalf("open second store: %v", err)
	}
	t.Cleanup(func() { db2.Close() })
	car1 := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	car2 := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	head := e.settle()
	h1, _ := startHub(t, e.db, fast)
	h2, _ := startHub(t, db2, fast)
	feed1, _ := follow(mustSubscribe(t, h1, e.site, &head))
	feed2, _ := follow(mustSubscribe(t, h2, e.site, &head))

	tech := storetest.Ctx(e.f.Tech)
	var wg sync.WaitGroup
	for _, w := range []struct {
		db  *store.DB
		car *storetest.Car
	}{{e.db, car1}, {db2, car2}} {
		wg.Go(func() {
			job := w.car.Jobs[0].ID
			if _, err := w.db.StartJob(tech, store.JobRef{JobID: job}); err != nil {
				t.Errorf("start: %v", err)
				return
			}
			for p := 5; p <= 100; p += 5 {
				if _, err := w.db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: job, Progress: p}); err != nil {
					t.Errorf("progress: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	got1 := e.waitLog("subscriber of instance 1", feed1, head)
	e.waitLog("subscriber of instance 2", feed2, head)
	if len(got1) != 2*21 {
		t.Fatalf("received %d events, want 42", len(got1))
	}
	// Each event reached the instance it was not committed through. A
	// subscriber may have replayed some from the log before its hub's own
	// pass read them: wait for the passes, a bounded number of looks.
	for i, h := range []*board.Hub{h1, h2} {
		waitFor(t, fmt.Sprintf("instance %d to read the 42 events", i+1), func() bool { return h.Stats.EventsRead.Load() >= 42 })
	}
	// A hub skips the wake-up of its own sequencing, never the other's.
	waitFor(t, "a hub to skip its own sequencing wake-up", func() bool {
		return h1.Stats.OwnWakeups.Load()+h2.Stats.OwnWakeups.Load() > 0
	})
}

// TestHubSlowSubscriber: a subscriber that never reads is closed when its
// queue overflows, while another keeps receiving every event; the closed one
// resumes from its last cursor and misses nothing.
func TestHubSlowSubscriber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	head := e.settle()
	h, _ := startHub(t, e.db, board.Options{CatchUpInterval: 200 * time.Millisecond, QueueSize: 32})
	stuck := mustSubscribe(t, h, e.site, &head)
	reader, readerDone := follow(mustSubscribe(t, h, e.site, &head))

	// Chunks well below the queue size, each read by the reader before the
	// next: only the subscriber that never reads can overflow.
	total := 0
	for range 12 {
		total += len(e.emit(8))
		waitFor(t, "the reader to keep up", func() bool { return reader.len() >= total })
	}
	waitFor(t, "the stuck subscriber to be dropped", func() bool { return h.Stats.Dropped.Load() >= 1 })
	queued := expectClosed(t, "stuck subscriber", stuck)
	if n := h.Stats.Dropped.Load(); n != 1 {
		t.Fatalf("Dropped=%d, want 1", n)
	}
	select {
	case <-readerDone:
		t.Fatalf("the reading subscriber was closed too")
	default:
	}
	e.waitLog("reading subscriber", reader, head)

	// What the stuck subscriber had queued is a prefix of the log; it then
	// resumes from its cursor and gets exactly the rest.
	resumed := &recorder{}
	for _, u := range queued {
		resumed.add(u)
	}
	if len(queued) == 0 || len(queued) >= total {
		t.Fatalf("stuck subscriber had %d updates queued, want some but not all %d", len(queued), total)
	}
	cur := resumed.last(head)
	rest, _ := follow(mustSubscribe(t, h, e.site, &cur))
	total += len(e.emit(3))
	waitFor(t, "the resumed subscriber to catch up", func() bool { return len(queued)+rest.len() >= total })
	for _, x := range rest.entries() {
		resumed.mu.Lock()
		resumed.got = append(resumed.got, x)
		resumed.mu.Unlock()
	}
	e.waitLog("stuck subscriber, queued then resumed", resumed, head)
	e.waitLog("reading subscriber", reader, head)
	if n := h.Stats.Dropped.Load(); n != 1 {
		t.Fatalf("Dropped=%d after the resume, want 1", n)
	}
}

// TestHubResume: a subscriber that disconnects and comes back with its last
// cursor gets exactly what it missed, in order, then live events, without a
// duplicate; cursors the log cannot serve get one Reset update.
func TestHubResume(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		head := e.settle()
		h, _ := startHub(t, e.db, fast)

		ctx, cancel := context.WithCancel(context.Background())
		ch, err := subscribe(ctx, h, e.site, &head)
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		first, firstDone := follow(ch)
		e.emit(5)
		waitFor(t, "the first events", func() bool { return first.len() >= 5 })
		cancel() // the screen disconnects
		<-firstDone
		seen := first.entries()
		cur := first.last(head)

		missed := e.emit(5)
		second, _ := follow(mustSubscribe(t, h, e.site, &cur))
		waitFor(t, "the missed events", func() bool { return second.len() >= 5 })
		live := e.emit(5)
		got := e.waitLog("resumed subscriber", second, cur)
		for i, id := range append(missed, live...) {
			if got[i].ID != id {
				t.Fatalf("update %d is event %d, want %d (missed %v, then live %v)", i, got[i].ID, id, missed, live)
			}
		}
		all := &recorder{got: append(seen, got...)}
		e.waitLog("subscriber over both connections", all, head)
	})

	t.Run("OKChurn", func(t *testing.T) {
		t.Parallel()
		// A screen that keeps disconnecting while events flow: each
		// subscription replays from its cursor then goes live; taken
		// together they must be the log exactly.
		e := newEnv(t)
		head := e.settle()
		h, _ := startHub(t, e.db, fast)
		// At most 10 events ahead of the screen, so that they keep flowing
		// while it churns.
		all := &recorder{}
		emitted, emitting := e.emitAhead(t, all, 10, 120, nil)
		subs, total := 0, -1
		for total < 0 || all.len() < total {
			ctx, cancel := context.WithCancel(context.Background())
			cur := all.last(head)
			ch, err := subscribe(ctx, h, e.site, &cur)
			if err != nil {
				t.Fatalf("subscribe: %v", err)
			}
			subs++
			// Take a few updates, fewer once every event is in.
			for take := 1 + subs%7; take > 0 && (total < 0 || all.len() < total); {
				select {
				case u, ok := <-ch:
					if !ok {
						t.Fatalf("feed closed on its own")
					}
					if u.Reset {
						t.Fatalf("reset at cursor %d", cur)
					}
					all.add(u)
					take--
				case <-emitting:
					total, emitting = int(emitted.Load()), nil
				}
			}
			cancel()
			expectClosed(t, "cancelled subscription", ch) // what was queued is dropped: not processed
			if subs > 2000 {
				t.Fatalf("%d subscriptions and still %d of %d events", subs, all.len(), total)
			}
		}
		e.waitLog("churning subscriber", all, head)
		t.Logf("%d subscriptions for %d events", subs, total)
	})

	reset := func(t *testing.T, h *board.Hub, site shop.SiteID, after int64) {
		t.Helper()
		ups := expectClosed(t, "feed", mustSubscribe(t, h, site, &after))
		if len(ups) != 1 || !ups[0].Reset {
			t.Fatalf("after=%d: got %d updates (first reset=%v), want a single Reset", after, len(ups), len(ups) > 0 && ups[0].Reset)
		}
	}

	t.Run("ResetAheadOfLog", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.emit(2)
		head := e.settle()
		h, _ := startHub(t, e.db, fast)
		reset(t, h, e.site, head+1000)
		reset(t, h, e.site, -1)
	})

	t.Run("ResetOlderThanRetention", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		var old shop.EventID
		if err := e.raw.QueryRow(`INSERT INTO events (site_id, kind, summary, at) VALUES ($1, 'JOB_STARTED', 'old', now() - interval '2 hours') RETURNING id`, e.site).Scan(&old); err != nil {
			t.Fatalf("insert old event: %v", err)
		}
		e.emit(3)
		e.settle()
		var oldPos int64
		if err := e.raw.QueryRow(`SELECT pos FROM events WHERE id = $1`, old).Scan(&oldPos); err != nil {
			t.Fatalf("pos: %v", err)
		}
		h, _ := startHub(t, e.db, board.Options{CatchUpInterval: 200 * time.Millisecond, Retention: time.Hour})
		reset(t, h, e.site, oldPos-1)
		// Just after the old event, the replay is within retention.
		r, _ := follow(mustSubscribe(t, h, e.site, &oldPos))
		e.waitLog("subscriber after the old event", r, oldPos)
		if r.resetCount() != 0 || r.len() != 3 {
			t.Fatalf("resets=%d events=%d, want 0 and 3", r.resetCount(), r.len())
		}
	})

	t.Run("ResetBeyondReplayLimit", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		start := e.settle()
		e.emit(4)
		e.settle()
		h, _ := startHub(t, e.db, board.Options{CatchUpInterval: 200 * time.Millisecond, ReplayLimit: 3})
		reset(t, h, e.site, start)
		log, _ := e.logSince(start)
		after := log[0].Pos
		r, _ := follow(mustSubscribe(t, h, e.site, &after))
		e.waitLog("subscriber within the replay limit", r, after)
		if r.resetCount() != 0 {
			t.Fatalf("resets=%d, want 0", r.resetCount())
		}
	})
}

// TestHubLoadDoesNotGrowWithSubscribers: an instance reads the log once and
// fans out in memory, so 200 screens cost the database what one does. The
// hub is stepped (one read per event, sequencing done beforehand through
// another store) so both runs do exactly the same reads.
func TestHubLoadDoesNotGrowWithSubscribers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	car := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	seq, err := store.Open(context.Background(), e.db.DSN(), 2)
	if err != nil {
		t.Fatalf("open sequencing store: %v", err)
	}
	t.Cleanup(func() { seq.Close() })
	const events = 20

	run := func(subscribers int) (statements, reads int64) {
		t.Helper()
		ctx := context.Background()
		head := e.settle()
		h := board.NewHub(e.db, slog.New(slog.DiscardHandler), board.Options{})
		if err := h.StartStepped(ctx); err != nil {
			t.Fatalf("start: %v", err)
		}
		feeds := make([]*recorder, subscribers)
		for i := range feeds {
			feeds[i], _ = follow(mustSubscribe(t, h, e.site, nil))
		}
		before := e.db.Statements()
		for i := range events {
			if _, err := e.raw.Exec(`INSERT INTO events (site_id, kind, order_id, summary, at) VALUES ($1, 'JOB_PROGRESS', $2, 'p', now())`, e.site, car.Order.ID); err != nil {
				t.Fatalf("insert: %v", err)
			}
			waitFor(t, "the event's position", func() bool {
				if _, err := seq.SequenceEvents(ctx); err != nil {
					t.Fatalf("sequence: %v", err)
				}
				_, pending := e.logSince(0)
				return pending == 0
			})
			if err := h.CatchUp(ctx); err != nil {
				t.Fatalf("catch up: %v", err)
			}
			for _, f := range feeds {
				waitFor(t, "every subscriber to get the event", func() bool { return f.len() >= i+1 })
			}
		}
		statements = e.db.Statements() - before
		for i, f := range feeds {
			e.waitLog(fmt.Sprintf("subscriber %d of %d", i, subscribers), f, head)
		}
		if n := h.Stats.Subscribers.Load(); n != int64(subscribers) {
			t.Fatalf("Subscribers=%d, want %d", n, subscribers)
		}
		return statements, h.Stats.Reads.Load()
	}
	s1, r1 := run(1)
	s200, r200 := run(200)
	t.Logf("per event: 1 subscriber %.1f statements, %.1f reads; 200 subscribers %.1f statements, %.1f reads",
		float64(s1)/events, float64(r1)/events, float64(s200)/events, float64(r200)/events)
	if s1 == 0 || r1 == 0 {
		t.Fatalf("statements=%d reads=%d with one subscriber: nothing measured", s1, r1)
	}
	if float64(s200) > 1.5*float64(s1) {
		t.Fatalf("statements=%d with 200 subscribers, want ≤ 1.5 × %d (one subscriber)", s200, s1)
	}
	if float64(r200) > 1.5*float64(r1) {
		t.Fatalf("reads=%d with 200 subscribers, want ≤ 1.5 × %d (one subscriber)", r200, r1)
	}
}

// TestHubRestart stops an instance while screens are connected and starts a
// new one: every screen resumes from its cursor and misses nothing.
func TestHubRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	head := e.settle()
	h1, stop1 := startHub(t, e.db, fast)
	current := newInstance(h1)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clients := make([]*client, 5)
	for i := range clients {
		clients[i] = startClient(ctx, t, current, e.site, head)
	}
	// Events flow before, during and after the restart, at most 40 ahead
	// of the first client: the downtime never exceeds the replay limit,
	// however slowly the new instance starts.
	stop := make(chan struct{})
	emitted, emitting := e.emitAhead(t, &clients[0].recorder, 40, 0, stop)
	waitFor(t, "events to flow", func() bool { return clients[0].len() >= 30 })
	stop1() // the instance goes away mid-stream: its feeds close
	// Every client has lost its feed and tried the stopped instance again
	// before the new one starts (as behind a load balancer that has not yet
	// noticed): the stopped hub must refuse, not take a subscription it
	// will never serve.
	for i, c := range clients {
		waitFor(t, fmt.Sprintf("client %d to retry", i), func() bool { return c.attempts.Load() >= 2 })
	}
	downtime := emitted.Load()
	h2, _ := startHub(t, e.db, fast)
	current.set(h2)
	for i, c := range clients {
		waitFor(t, fmt.Sprintf("client %d to resume", i), func() bool { return c.subscriptions.Load() >= 2 })
	}
	waitFor(t, "events after the restart", func() bool { return emitted.Load() >= downtime+30 })
	close(stop)
	<-emitting
	for i, c := range clients {
		e.waitLog(fmt.Sprintf("client %d", i), &c.recorder, head)
		if n := c.resetCount(); n != 0 {
			t.Fatalf("client %d got %d resets, want 0", i, n)
		}
	}
	cancel()
	for _, c := range clients {
		<-c.done
	}
	if n := h1.Stats.Subscribers.Load(); n != 0 {
		t.Fatalf("stopped hub still has %d subscribers", n)
	}
	t.Logf("%d events, %d emitted by the time the new instance started", emitted.Load(), downtime)
}

// TestHubSharedReplay: subscribers resuming from the same cursor get the
// very same updates (built once, so rendered once per shape), and a live
// update replayed later is the one fanned out live; each still gets exactly
// the log.
func TestHubSharedReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	head := e.settle()
	h, _ := startHub(t, e.db, fast)
	e.emit(6) // no subscriber yet: the hub builds nothing live
	mid := e.settle()
	collect := func(after int64, n int) []*board.Update {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := subscribe(ctx, h, e.site, &after)
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		var got []*board.Update
		for len(got) < n {
			u, ok := <-ch
			if !ok {
				t.Fatalf("feed closed after %d updates, want %d", len(got), n)
			}
			got = append(got, u)
		}
		return got
	}
	a, b := collect(head, 6), collect(head, 6)
	for i := range a {
		if a[i] != b[i] || a[i].Reset {
			t.Fatalf("update %d: two resuming subscribers got different updates (%p, %p)", i, a[i], b[i])
		}
	}
	rec := &recorder{}
	for _, u := range a {
		rec.add(u)
	}
	e.waitLog("replayed", rec, head)

	// Live, then replayed from an earlier cursor: the same update.
	live, _ := follow(mustSubscribe(t, h, e.site, &mid))
	e.emit(2)
	waitFor(t, "the live updates", func() bool { return live.len() >= 2 })
	c := collect(mid, 2)
	d := collect(head, 8)
	for i := range c {
		if c[i] != d[6+i] {
			t.Fatalf("update %d after %d: replays from two cursors differ", i, mid)
		}
	}
}

// TestHubCoalesce: commits arriving while the hub waits out Coalesce before
// a pass are read by that pass together, not one pass each. The test holds
// the hub in that wait instead of timing it: ten commits, ten notifications,
// then one read.
func TestHubCoalesce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	head := e.settle()
	// An hour of Coalesce makes every pass after the first wait, and
	// HoldPasses turns each wait into one the test ends.
	h := board.NewHub(e.db, slog.New(slog.DiscardHandler), board.Options{CatchUpInterval: time.Hour, Coalesce: time.Hour})
	held, release := h.HoldPasses()
	runHub(t, h)
	// Live only (no cursor): every event reaches it through a pass's fan-out.
	feed, _ := follow(mustSubscribe(t, h, e.site, nil))
	waitFor(t, "the start-up pass", func() bool { return h.Stats.Reads.Load() >= 1 })

	e.emit(1) // its notification wakes the hub, which stops before its pass
	<-held
	reads := h.Stats.Reads.Load()
	e.emit(9)
	// Sequenced now, so that the pass finds all ten: a transaction elsewhere
	// on the server could otherwise keep some for a pass of their own.
	e.settle()
	release <- time.Time{}
	<-held // the pass is over: the notifications of the nine woke the hub again
	if n := h.Stats.Reads.Load() - reads; n != 1 {
		t.Fatalf("log reads=%d for 10 commits while the hub waited, want 1", n)
	}
	got := e.waitLog("subscriber", feed, head)
	if len(got) != 10 {
		t.Fatalf("received %d events, want 10", len(got))
	}
}

// TestHubReplayStorm: screens resuming from the same cursor share one
// check and first read of the log while the hub's head stays put, in a row
// or all at once; a screen joining after the head moved reads again (the
// shared read lacks what its live queue lacks).
func TestHubReplayStorm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	head := e.settle()
	h, _ := startHub(t, e.db, fast)
	e.emit(6)
	e.settle()
	live, _ := follow(mustSubscribe(t, h, e.site, nil))
	// The hub's head passes the six: the live feed sees the seventh.
	seen := func(id shop.EventID) func() bool {
		return func() bool {
			return slices.ContainsFunc(live.entries(), func(x entry) bool { return x.ID == id })
		}
	}
	waitFor(t, "the live update", seen(e.emit(1)[0]))
	resume := func(after int64, n int) []*board.Update {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := subscribe(ctx, h, e.site, &after)
		if err != nil {
			t.Errorf("subscribe: %v", err)
			return nil
		}
		var got []*board.Update
		for len(got) < n {
			u, ok := <-ch
			if !ok {
				t.Errorf("feed closed after %d updates, want %d", len(got), n)
				return got
			}
			got = append(got, u)
		}
		return got
	}
	first := resume(head, 7)
	for range 5 {
		if got := resume(head, 7); len(got) != 7 || got[6] != first[6] {
			t.Fatalf("resumed %d updates, want the same 7", len(got))
		}
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if got := resume(head, 7); len(got) == 7 && got[0] != first[0] {
				t.Errorf("update=%p, want the shared %p", got[0], first[0])
			}
		})
	}
	wg.Wait()
	if n := h.Stats.ReplayChecks.Load(); n != 1 {
		t.Fatalf("replay checks=%d for 26 resumers of one cursor, want 1", n)
	}
	next := e.emit(1)[0]
	waitFor(t, "the next live update", seen(next))
	if got := resume(head, 8); len(got) == 8 && got[7].Event.ID != next {
		t.Fatalf("last replayed=%d, want the new event %d", got[7].Event.ID, next)
	}
	if n := h.Stats.ReplayChecks.Load(); n != 2 {
		t.Fatalf("replay checks=%d after the head moved, want 2", n)
	}
}

// TestFeedReady drives feeds as the websocket transport does: no goroutine
// waits in Next; OnReady wakes the driver, which calls Next only while Ready
// holds. A filtered feed and a replaying one get exactly what Next would
// give them, and Next never waits (it would hang the test).
func TestFeedReady(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	head := e.settle()
	h, _ := startHub(t, e.db, fast)
	ids := e.emit(4)
	e.settle()
	keep := map[shop.EventID]bool{ids[1]: true, ids[3]: true}
	// drive follows until n updates came; once it has had emitAt, it
	// commits one more event (live after the replay).
	drive := func(after *int64, filter board.Filter, n, emitAt int) []shop.EventID {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f, err := h.Follow(ctx, e.site, after, filter)
		if err != nil {
			t.Fatalf("follow: %v", err)
		}
		wake := make(chan struct{}, 1)
		f.OnReady(func() {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
		var got []shop.EventID
		for len(got) < n {
			for f.Ready(ctx) {
				u, ok := f.Next(ctx)
				if !ok {
					t.Fatalf("feed ended after %d updates, want %d", len(got), n)
				}
				got = append(got, u.Event.ID)
			}
			if len(got) < n {
				if len(got) == emitAt {
					e.emit(1)
				}
				<-wake
			}
		}
		if f.Ready(ctx) {
			t.Fatalf("ready after %d updates, want idle", n)
		}
		return got
	}
	if got := drive(&head, func(ev *shop.Event) bool { return keep[ev.ID] }, 2, -1); got[0] != ids[1] || got[1] != ids[3] {
		t.Fatalf("filtered replay=%v, want %v", got, []shop.EventID{ids[1], ids[3]})
	}
	got := drive(&head, nil, 5, 4)
	if !slices.Equal(got[:4], ids) {
		t.Fatalf("replay then live=%v, want %v then the new one", got, ids)
	}
}
