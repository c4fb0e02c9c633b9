package store_test

import (
	"context"
	"database/sql"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestJobStepStatements keeps a job step at two statements of its own (lock
// the order and the job; save the job with its event and read the other
// jobs), whatever the order's size. bench/cmd/bench/mutations.go replays
// these statements with pgbench: change both together.
func TestJobStepStatements(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, tech := storetest.Ctx(f.Advisor), storetest.Ctx(f.Tech)
	for _, n := range []int{1, 2, 6} {
		car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: n})
		job := car.Jobs[n-1]
		if _, err := db.StartJob(tech, store.JobRef{JobID: job.ID}); err != nil {
			t.Fatal(err)
		}
		before := db.Statements()
		j, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: job.ID, Progress: 40})
		if err != nil {
			t.Fatal(err)
		}
		if got := db.Statements() - before; got != 2 {
			t.Fatalf("jobs=%d: statements=%d, want 2", n, got)
		}
		stored, err := db.FindJobByID(tech, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Progress != 40 || stored.Version != j.Version || j.Version != job.Version+2 {
			t.Fatalf("jobs=%d: progress=%d version=%d (returned %d), want 40 and %d", n, stored.Progress, stored.Version, j.Version, job.Version+2)
		}
		if got := countEvents(t, db, adv, car.Order.ID, shop.EventJobProgress); got != 1 {
			t.Fatalf("jobs=%d: JOB_PROGRESS events=%d, want 1", n, got)
		}
	}
}

// TestJobStepKeepsRecords: a job step returns the job as stored, and an
// order it moves on (here to the waiting-for-parts lane) keeps every other field:
// the step reads both in one row and writes the order back whole.
func TestJobStepKeepsRecords(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, tech := storetest.Ctx(f.Advisor), storetest.Ctx(f.Tech)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 3, Extra: true})
	// Every job in progress, then all but the last paused for parts: the
	// order stays IN_WORK until the last one pauses too.
	last := car.Jobs[len(car.Jobs)-1]
	for _, j := range car.Jobs {
		if _, err := db.StartJob(tech, store.JobRef{JobID: j.ID}); err != nil {
			t.Fatal(err)
		}
	}
	pause := func(id shop.JobID) (*shop.Job, error) {
		return db.PauseJob(tech, store.PauseJobInput{JobID: id, Reason: shop.PauseWaitingParts, Note: ptr("刹车片缺货")})
	}
	for _, j := range car.Jobs[:len(car.Jobs)-1] {
		if _, err := pause(j.ID); err != nil {
			t.Fatal(err)
		}
	}
	before, err := db.FindOrderByID(adv, car.Order.ID)
	if err != nil {
		t.Fatal(err)
	}
	jobBefore, err := db.FindJobByID(tech, last.ID)
	if err != nil {
		t.Fatal(err)
	}
	j, err := pause(last.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.FindJobByID(tech, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := utc(*j), utc(*stored); !reflect.DeepEqual(got, want) {
		t.Fatalf("returned job=%+v, want as stored %+v", got, want)
	}
	if stored.State != shop.JobPaused || stored.PauseNote != "刹车片缺货" || stored.Version != jobBefore.Version+1 {
		t.Fatalf("state=%v note=%q version=%d, want PAUSED, the note, version %d", stored.State, stored.PauseNote, stored.Version, jobBefore.Version+1)
	}
	want := *jobBefore
	want.State, want.PauseReason, want.PauseNote, want.WorkedMinutes, want.Version, want.UpdatedAt =
		stored.State, stored.PauseReason, stored.PauseNote, stored.WorkedMinutes, stored.Version, stored.UpdatedAt
	if got, want := utc(*stored), utc(want); !reflect.DeepEqual(got, want) {
		t.Fatalf("job after the step=%+v, want unchanged but for the pause %+v", got, want)
	}
	after, err := db.FindOrderByID(adv, car.Order.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Stage == nil || before.Stage != nil && *after.Stage == *before.Stage || after.Version != before.Version+1 {
		t.Fatalf("stage=%v→%v version=%d, want a new stage at version %d", deref(before.Stage), deref(after.Stage), after.Version, before.Version+1)
	}
	after.Stage, after.StageSince, after.Version, after.UpdatedAt = before.Stage, before.StageSince, before.Version, before.UpdatedAt
	if got, want := utc(*after), utc(*before); !reflect.DeepEqual(got, want) {
		t.Fatalf("order after the step=%+v, want unchanged but for its lane %+v", got, want)
	}
}

// utc returns v with every time.Time and *time.Time field in UTC, so that
// times read back compare with the ones written.
func utc[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	for i := range rv.NumField() {
		switch f := rv.Field(i); t := f.Interface().(type) {
		case time.Time:
			f.Set(reflect.ValueOf(t.UTC()))
		case *time.Time:
			if t != nil {
				u := t.UTC()
				f.Set(reflect.ValueOf(&u))
			}
		}
	}
	return v
}

// TestJobStepClock adds the time between start (or resume) and pause (or
// finish) to the job's worked minutes, as read under the job's lock.
func TestJobStepClock(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	tech := storetest.Ctx(f.Tech)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	now := time.Now().UTC().Truncate(time.Second)
	db.Now = func() time.Time { return now }
	id := car.Jobs[0].ID
	steps := []struct {
		name    string
		after   time.Duration
		step    func() (*shop.Job, error)
		minutes int
	}{
		{"start", 0, func() (*shop.Job, error) { return db.StartJob(tech, store.JobRef{JobID: id}) }, 0},
		{"progress", 10 * time.Minute, func() (*shop.Job, error) {
			return db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: id, Progress: 30})
		}, 0},
		{"pause", 15*time.Minute + 30*time.Second, func() (*shop.Job, error) {
			return db.PauseJob(tech, store.PauseJobInput{JobID: id, Reason: shop.PauseWaitingParts})
		}, 25},
		{"resume", 60 * time.Minute, func() (*shop.Job, error) { return db.ResumeJob(tech, store.JobRef{JobID: id}) }, 25},
		{"finish", 10 * time.Minute, func() (*shop.Job, error) { return db.FinishJob(tech, store.JobRef{JobID: id}) }, 35},
	}
	for _, s := range steps {
		now = now.Add(s.after)
		j, err := s.step()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		stored, err := db.FindJobByID(tech, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.WorkedMinutes != s.minutes || stored.WorkedMinutes != s.minutes {
			t.Fatalf("%s: worked=%d (stored %d), want %d", s.name, j.WorkedMinutes, stored.WorkedMinutes, s.minutes)
		}
	}
}

// TestJobStepLocksOrderFirst holds an order's lock elsewhere while a job step
// on one of its jobs waits for it: the waiting step must not hold the job's
// lock yet, or a writer going order → job would deadlock with it.
func TestJobStepLocksOrderFirst(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	tech := storetest.Ctx(f.Tech)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{})
	job := car.Jobs[0]
	if _, err := db.StartJob(tech, store.JobRef{JobID: job.ID}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("postgres", db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ctx := context.Background()
	holder, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec(`SELECT 1 FROM repair_orders WHERE id = $1 FOR UPDATE`, car.Order.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: job.ID, Progress: 70})
		done <- err
	}()
	waitLockWaiters(t, raw, "%SELECT o.id, o.site_id, o.visit_id%", 1, done)
	probe, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = probe.Exec(`SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE NOWAIT`, job.ID)
	probe.Rollback()
	if err != nil {
		t.Fatalf("job lock while the step waits for the order: %v, want it free", err)
	}
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("step after the order was released: %v", err)
	}
}

// TestEventWakesListeners: a committed change's event wakes the listeners of
// store.ChannelEvents once; a change that fails wakes nobody.
func TestEventWakesListeners(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, tech := storetest.Ctx(f.Advisor), storetest.Ctx(f.Tech)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{})
	job := car.Jobs[0]
	wakeUps := listenWakeUps(t, db, store.ChannelEvents)

	t.Run("OKJobStep", func(t *testing.T) {
		if _, err := db.StartJob(tech, store.JobRef{JobID: job.ID}); err != nil {
			t.Fatal(err)
		}
		if n := wakeUps(); n != 1 {
			t.Fatalf("wake-ups=%d, want 1", n)
		}
	})
	t.Run("OKTwoEventsOneWakeUp", func(t *testing.T) {
		qc := f.MustCar(t, db, shop.OrderQC, storetest.CarOptions{Jobs: 1})
		wakeUps() // the set-up's own
		o, err := db.RecordFinalInspection(storetest.Ctx(f.QC), store.RecordFinalInspectionInput{OrderID: qc.Order.ID, Passed: true})
		if err != nil {
			t.Fatal(err)
		}
		if o.State != shop.OrderReady {
			t.Fatalf("state=%v, want %v", o.State, shop.OrderReady)
		}
		for _, kind := range []shop.EventKind{shop.EventQCPassed, shop.EventOrderReady} {
			if got := countEvents(t, db, adv, o.ID, kind); got != 1 {
				t.Fatalf("%s events=%d, want 1", kind, got)
			}
		}
		if n := wakeUps(); n != 1 {
			t.Fatalf("wake-ups=%d, want 1", n)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		stale := 1
		_, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: job.ID, ExpectedVersion: &stale, Progress: 5})
		if shop.ErrorCode(err) != shop.ECONFLICT {
			t.Fatalf("code=%v, want %v", shop.ErrorCode(err), shop.ECONFLICT)
		}
		if n := wakeUps(); n != 0 {
			t.Fatalf("wake-ups=%d, want 0", n)
		}
	})
}

// TestJobStepsFillThePool runs more job steps at once than the pool has
// connections, on a store whose statements are not prepared yet: preparing
// must not wait for a connection while a transaction holds one.
func TestJobStepsFillThePool(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	tech := storetest.Ctx(f.Tech)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 4})
	for _, j := range car.Jobs {
		if _, err := db.StartJob(tech, store.JobRef{JobID: j.ID}); err != nil {
			t.Fatal(err)
		}
	}
	small, err := store.Open(context.Background(), db.DSN(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	ctx, cancel := context.WithTimeout(tech, 20*time.Second)
	defer cancel()
	errs := race(8, func(i int) error {
		_, err := small.ReportJobProgress(ctx, store.ReportJobProgressInput{JobID: car.Jobs[i%len(car.Jobs)].ID, Progress: 10 + i})
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("err=%v, want none", err)
		}
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// listenWakeUps listens on channel and returns wakeUps, which counts the
// notifications delivered since its last call: it sends a marker on the
// channel and counts until the marker comes back. PostgreSQL delivers
// notifications in the order their transactions committed, so every
// wake-up of a change committed before the marker arrives before it.
func listenWakeUps(t *testing.T, db *store.DB, channel string) (wakeUps func() int) {
	t.Helper()
	l := pq.NewListener(db.DSN(), 10*time.Millisecond, time.Second, nil)
	t.Cleanup(func() { l.Close() })
	if err := l.Listen(channel); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("postgres", db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return func() int {
		t.Helper()
		if _, err := raw.Exec(`SELECT pg_notify($1, 'marker')`, channel); err != nil {
			t.Fatal(err)
		}
		n := 0
		for ev := range l.Notify {
			if ev == nil || ev.Channel != channel {
				continue
			}
			if ev.Extra == "marker" {
				return n
			}
			n++
		}
		t.Fatal("the listener closed")
		return n
	}
}

// waitLockWaiters waits until n backends of the test's database wait for a
// lock in a statement whose text is like pattern (the server keeps only
// the start of a long query's text). Each look is a round trip to the
// server, so the goroutines under test run meanwhile; a bounded count of
// looks, not a clock, ends the wait. A result on done first fails the test:
// what should wait finished.
func waitLockWaiters(t *testing.T, raw *sql.DB, pattern string, n int, done <-chan error) {
	t.Helper()
	const looks = 50_000
	for i := 0; ; i++ {
		var waiting int
		if err := raw.QueryRow(`
			SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`, pattern).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == n {
			return
		}
		select {
		case err := <-done:
			t.Fatalf("a statement finished while its row was locked elsewhere: err=%v", err)
		default:
		}
		if i == looks {
			t.Fatalf("%d of %d statements waited for the lock (%d looks)", waiting, n, looks)
		}
		runtime.Gosched()
	}
}
