package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

const racers = 20

// race runs fn in n goroutines released at the same moment and returns
// their errors, by goroutine.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts the winners of a race and fails on anything but CONFLICT.
func tally(t *testing.T, errs []error) (wins int) {
	t.Helper()
	for _, err := range errs {
		switch shop.ErrorCode(err) {
		case "":
			wins++
		case shop.ECONFLICT:
			if f := shop.ErrorField(err); f != "expectedVersion" {
				t.Fatalf("field=%q, want expectedVersion", f)
			}
		default:
			t.Fatalf("code=%v (%v), want CONFLICT or success", shop.ErrorCode(err), err)
		}
	}
	return wins
}

func countEvents(t *testing.T, db *store.DB, ctx context.Context, id shop.OrderID, kind shop.EventKind) int {
	t.Helper()
	evs, err := db.FindEventsByOrder(ctx, id, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// TestConcurrentOrderUpdates races many advisors on one repair order naming
// the same expectedVersion: exactly one wins per version, the others get
// CONFLICT, and no update is lost.
func TestConcurrentOrderUpdates(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv := storetest.Ctx(f.Advisor)
	car := f.MustCar(t, db, shop.OrderDraft, storetest.CarOptions{})
	id, initial := car.Order.ID, car.Order.Version

	t.Run("OK", func(t *testing.T) {
		wins := 0
		for round := range 3 {
			o, err := db.FindOrderByID(adv, id)
			if err != nil {
				t.Fatal(err)
			}
			v := o.Version
			var winner atomic.Int64
			winner.Store(-1)
			errs := race(racers, func(i int) error {
				findings := fmt.Sprintf("round %d by %d", round, i)
				_, err := db.UpdateRepairOrder(adv, store.UpdateRepairOrderInput{OrderID: id, ExpectedVersion: &v, Findings: &findings})
				if err == nil {
					winner.Store(int64(i))
				}
				return err
			})
			if n := tally(t, errs); n != 1 {
				t.Fatalf("round %d: winners=%d, want exactly 1", round, n)
			}
			wins++
			o, err = db.FindOrderByID(adv, id)
			if err != nil {
				t.Fatal(err)
			}
			if o.Version != v+1 {
				t.Fatalf("version=%d, want %d", o.Version, v+1)
			}
			if want := fmt.Sprintf("round %d by %d", round, winner.Load()); o.Findings != want {
				t.Fatalf("findings=%q, want the winner's %q", o.Findings, want)
			}
		}
		o, _ := db.FindOrderByID(adv, id)
		if o.Version != initial+wins {
			t.Fatalf("version=%d, want %d (initial %d + %d winners)", o.Version, initial+wins, initial, wins)
		}
		if n := countEvents(t, db, adv, id, shop.EventOrderEdited); n != wins {
			t.Fatalf("ORDER_EDITED events=%d, want one per winner (%d)", n, wins)
		}
	})

	t.Run("ErrConflictFreeForAll", func(t *testing.T) {
		// Each racer reads the version and tries to write, a few times over:
		// every version is won at most once and the final version counts every win.
		before, _ := db.FindOrderByID(adv, id)
		var mu sync.Mutex
		wonAt := map[int]int{}
		errs := race(racers, func(i int) error {
			for range 3 {
				o, err := db.FindOrderByID(adv, id)
				if err != nil {
					return err
				}
				findings := fmt.Sprintf("racer %d at %d", i, o.Version)
				_, err = db.UpdateRepairOrder(adv, store.UpdateRepairOrderInput{OrderID: id, ExpectedVersion: &o.Version, Findings: &findings})
				if err == nil {
					mu.Lock()
					wonAt[o.Version]++
					mu.Unlock()
				} else if shop.ErrorCode(err) != shop.ECONFLICT {
					return err
				}
			}
			return nil
		})
		for _, err := range errs {
			if err != nil {
				t.Fatalf("err=%v, want success or CONFLICT", err)
			}
		}
		wins := 0
		for v, n := range wonAt {
			if n != 1 {
				t.Fatalf("version %d won %d times, want once", v, n)
			}
			wins++
		}
		after, _ := db.FindOrderByID(adv, id)
		if after.Version != before.Version+wins {
			t.Fatalf("version=%d, want %d (%d + %d winners)", after.Version, before.Version+wins, before.Version, wins)
		}
	})
}

// TestConcurrentJobUpdates races technicians on one job with the same
// expectedVersion, and without one.
func TestConcurrentJobUpdates(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, tech := storetest.Ctx(f.Advisor), storetest.Ctx(f.Tech)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{})
	job := car.Jobs[0]
	if _, err := db.StartJob(tech, store.JobRef{JobID: job.ID}); err != nil {
		t.Fatal(err)
	}

	t.Run("ErrConflict", func(t *testing.T) {
		j, _ := db.FindJobByID(tech, job.ID)
		v := j.Version
		var winner atomic.Int64
		errs := race(racers, func(i int) error {
			_, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: job.ID, ExpectedVersion: &v, Progress: i + 1})
			if err == nil {
				winner.Store(int64(i + 1))
			}
			return err
		})
		if n := tally(t, errs); n != 1 {
			t.Fatalf("winners=%d, want exactly 1", n)
		}
		j, _ = db.FindJobByID(tech, job.ID)
		if j.Version != v+1 || int64(j.Progress) != winner.Load() {
			t.Fatalf("version=%d progress=%d, want %d and the winner's %d", j.Version, j.Progress, v+1, winner.Load())
		}
	})

	t.Run("OKWithoutVersion", func(t *testing.T) {
		// Without expectedVersion the calls serialise: none fails, none is lost.
		j, _ := db.FindJobByID(tech, job.ID)
		events := countEvents(t, db, adv, car.Order.ID, shop.EventJobProgress)
		errs := race(racers, func(i int) error {
			_, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: job.ID, Progress: 10 + i})
			return err
		})
		for _, err := range errs {
			if err != nil {
				t.Fatalf("err=%v, want none", err)
			}
		}
		after, _ := db.FindJobByID(tech, job.ID)
		if after.Version != j.Version+racers {
			t.Fatalf("version=%d, want %d (%d + %d reports)", after.Version, j.Version+racers, j.Version, racers)
		}
		if got := countEvents(t, db, adv, car.Order.ID, shop.EventJobProgress); got != events+racers {
			t.Fatalf("JOB_PROGRESS events=%d, want %d", got, events+racers)
		}
	})
}

// TestConcurrentJobsOfOneOrder finishes and checks every job of an order at
// once: the order moves to QC exactly once, with one event, and no job's
// change is lost.
func TestConcurrentJobsOfOneOrder(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, tech, lead := storetest.Ctx(f.Advisor), storetest.Ctx(f.Tech), storetest.Ctx(f.Lead)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 6})
	errs := race(len(car.Jobs), func(i int) error {
		id := car.Jobs[i].ID
		steps := []func() error{
			func() error { _, err := db.StartJob(tech, store.JobRef{JobID: id}); return err },
			func() error { _, err := db.FinishJob(tech, store.JobRef{JobID: id}); return err },
			func() error {
				_, err := db.RecordSelfCheck(tech, store.RecordJobCheckInput{JobID: id, Passed: true})
				return err
			},
			func() error {
				_, err := db.RecordTeamLeadCheck(lead, store.RecordJobCheckInput{JobID: id, Passed: true})
				return err
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("err=%v, want none", err)
		}
	}
	o, _ := db.FindOrderByID(adv, car.Order.ID)
	if o.State != shop.OrderQC {
		t.Fatalf("state=%v, want QC", o.State)
	}
	if n := countEvents(t, db, adv, o.ID, shop.EventOrderSubmittedQC); n != 1 {
		t.Fatalf("ORDER_SUBMITTED_TO_QC events=%d, want 1", n)
	}
	jobs, _ := db.FindJobsByOrderIDs(adv, []shop.OrderID{o.ID})
	for _, j := range jobs[o.ID] {
		if j.State != shop.JobDone {
			t.Fatalf("job %d state=%v, want DONE", j.ID, j.State)
		}
	}
}
