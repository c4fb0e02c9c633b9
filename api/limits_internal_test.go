package api

import (
	"testing"
	"time"
)

// TestRateLimiter drives the token bucket with an injected clock: a burst,
// then one request per refilled token, per key.
func TestRateLimiter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	l := newRateLimiter(2, 3, func() time.Time { return now }) // 2 per second, burst 3
	tests := []struct {
		name    string
		advance time.Duration
		key     string
		ok      bool
		wait    time.Duration
	}{
		{"OK/Burst1", 0, "a", true, 0},
		{"OK/Burst2", 0, "a", true, 0},
		{"OK/Burst3", 0, "a", true, 0},
		{"ErrRateLimited", 0, "a", false, 500 * time.Millisecond},
		{"OK/OtherKey", 0, "b", true, 0},
		{"ErrStillEmpty", 250 * time.Millisecond, "a", false, 250 * time.Millisecond},
		{"OK/Refilled", 250 * time.Millisecond, "a", true, 0},
		{"ErrEmptyAgain", 0, "a", false, 500 * time.Millisecond},
		{"OK/FullAfterLongIdle", time.Hour, "a", true, 0},
	}
	for _, tt := range tests {
		now = now.Add(tt.advance)
		ok, wait := l.allow(tt.key)
		if ok != tt.ok || wait != tt.wait {
			t.Fatalf("%s: allow=%v wait=%v, want %v %v", tt.name, ok, wait, tt.ok, tt.wait)
		}
	}
}

// TestRateLimiterSweep: past maxBuckets keys, the refilled buckets go.
func TestRateLimiterSweep(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	l := newRateLimiter(1, 1, func() time.Time { return now })
	for i := range maxBuckets {
		l.allow(string(rune('a'+i%26)) + time.Duration(i).String())
	}
	if n := len(l.buckets); n != maxBuckets {
		t.Fatalf("buckets=%d, want %d", n, maxBuckets)
	}
	now = now.Add(time.Second) // every bucket refilled
	l.allow("new")
	if n := len(l.buckets); n != 1 {
		t.Fatalf("buckets=%d after the sweep, want 1", n)
	}
}

// TestWebsocketCaps counts the slots of an instance and of each actor.
func TestWebsocketCaps(t *testing.T) {
	t.Parallel()
	c := &websocketCaps{maxTotal: 4, maxPerActor: 2}
	steps := []struct {
		name string
		do   func() bool
		want bool
	}{
		{"OK/Anonymous", func() bool { return c.acquire(0) }, true},
		{"OK/Actor1", func() bool { return c.acquire(7) }, true},
		{"OK/Actor1Again", func() bool { return c.acquire(7) }, true},
		{"ErrActorFull", func() bool { return c.acquire(7) }, false},
		{"OK/OtherActor", func() bool { return c.acquire(8) }, true},
		{"ErrInstanceFull", func() bool { return c.acquire(0) }, false},
		{"OK/AfterRelease", func() bool { c.release(8); return c.acquire(0) }, true},
	}
	for _, s := range steps {
		if got := s.do(); got != s.want {
			t.Fatalf("%s: acquired=%v, want %v", s.name, got, s.want)
		}
	}
	if c.total != 4 || c.perActor[7] != 2 || c.perActor[8] != 0 {
		t.Fatalf("total=%d perActor=%v, want 4 and {7:2}", c.total, c.perActor)
	}
}
