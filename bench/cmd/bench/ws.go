package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// feedQuery is what a wall board follows: the card of the changed order.
const feedQuery = `subscription Feed($site: ID!, $after: String) {
  boardFeed(siteId: $site, after: $after) {
    cursor reset kind summary jobId
    card { orderId stage progress jobsDone jobsTotal jobs { jobId state progress technician } }
  }
}`

// delivery is one progress update seen by a subscriber: the phase it was
// seen in, the progress value (the event's key in its phase) and when.
type delivery struct {
	phase int32
	key   int32
	at    time.Time
}

// subscriber is one graphql-transport-ws client of boardFeed that reconnects
// and resumes from its last cursor when the server goes away.
type subscriber struct {
	id       int
	cursor   string // last cursor received (reader goroutine only, read after sync)
	got      []delivery
	resets   int
	subs     int // subscriptions made (1 + resumes)
	conn     *websocket.Conn
	mu       sync.Mutex
	closing  bool
	resumedC chan struct{} // closed-and-replaced per connection: signals subscribed
	missed   atomic.Int64  // phase-2 (resume) deliveries, for the first one caught up
}

// fleet is N subscribers and what they share.
type fleet struct {
	url, token, site string
	phase            atomic.Int32
	matched          atomic.Int64 // progress updates recorded
	subscribed       atomic.Int64 // subscriptions acknowledged by a first frame or sent
	connected        atomic.Int64
	dialErrs         atomic.Int64
	lastErr          atomic.Value
	subsList         []*subscriber
	wg               sync.WaitGroup
	ctx              context.Context
	cancel           context.CancelFunc
	clients          []*http.Client
	// The resume storm's firsts: missedWant is how many events each
	// subscriber has to catch up on; firstResub and firstCaught are the
	// Unix nanoseconds of the first resubscription and of the first
	// subscriber to have every missed event (0 until seen).
	missedWant, firstResub, firstCaught atomic.Int64
}

func newFleet(url, token, site string) *fleet {
	f := &fleet{url: url, token: token, site: site}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	// Spread source addresses over 127.0.0.1–127.0.0.50 so one address
	// never runs out of ephemeral ports.
	for i := 1; i <= 50; i++ {
		d := &net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(i))}}
		f.clients = append(f.clients, &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}})
	}
	return f
}

// connect opens n subscribers, at most par dialing at once.
func (f *fleet) connect(n, par int, progress func()) {
	sem := make(chan struct{}, par)
	start := len(f.subsList)
	for i := range n {
		s := &subscriber{id: start + i, got: make([]delivery, 0, 128)}
		f.subsList = append(f.subsList, s)
		sem <- struct{}{}
		ready := make(chan struct{})
		f.wg.Go(func() { f.run(s, ready) })
		go func() {
			select {
			case <-ready:
			case <-time.After(30 * time.Second):
			}
			<-sem
		}()
		if progress != nil && i%200 == 0 {
			progress()
		}
	}
}

// run keeps one subscriber connected until the fleet closes.
func (f *fleet) run(s *subscriber, ready chan struct{}) {
	var once sync.Once
	signal := func() { once.Do(func() { close(ready) }) }
	backoff := 100 * time.Millisecond
	for f.ctx.Err() == nil {
		err := f.session(s, signal)
		signal()
		if f.ctx.Err() != nil {
			return
		}
		if err != nil {
			f.lastErr.Store(err.Error())
		}
		// Reconnect like a board does: jittered, growing back-off.
		time.Sleep(backoff/2 + rand.N(backoff))
		backoff = min(backoff*2, 2*time.Second)
	}
}

type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// session dials, initialises, subscribes (after the last cursor) and reads
// until the connection ends.
func (f *fleet) session(s *subscriber, subscribed func()) error {
	ctx := f.ctx
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	c, _, err := websocket.Dial(dctx, f.url, &websocket.DialOptions{
		HTTPClient:   f.clients[s.id%len(f.clients)],
		Subprotocols: []string{"graphql-transport-ws"},
	})
	cancel()
	if err != nil {
		f.dialErrs.Add(1)
		return err
	}
	c.SetReadLimit(1 << 20)
	f.connected.Add(1)
	defer f.connected.Add(-1)
	defer c.CloseNow()
	s.mu.Lock()
	s.conn = c
	s.mu.Unlock()
	write := func(m any) error {
		b, _ := json.Marshal(m)
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return c.Write(wctx, websocket.MessageText, b)
	}
	if err := write(map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + f.token}}); err != nil {
		return err
	}
	vars := map[string]any{"site": f.site}
	if s.cursor != "" {
		vars["after"] = s.cursor
	}
	acked := false
	for {
		// No context: coder/websocket registers a context.AfterFunc per Read
		// with one, and ten thousand readers on the fleet's one context
		// contend for its lock. close() ends the reads with CloseNow.
		_, b, err := c.Read(context.Background())
		if err != nil {
			return err
		}
		at := time.Now()
		typ := msgType(b)
		switch typ {
		case "connection_ack":
			if acked {
				continue
			}
			acked = true
			if err := write(map[string]any{"id": "1", "type": "subscribe",
				"payload": map[string]any{"query": feedQuery, "variables": vars}}); err != nil {
				return err
			}
			s.subs++
			f.subscribed.Add(1)
			if f.phase.Load() == 2 {
				f.firstResub.CompareAndSwap(0, at.UnixNano())
			}
			subscribed()
		case "ping":
			if err := write(map[string]string{"type": "pong"}); err != nil {
				return err
			}
		case "next":
			if cur := field(b, `"cursor":"`); cur != "" {
				s.cursor = cur
			}
			if bytes.Contains(b, []byte(`"reset":true`)) {
				s.resets++
			}
			if k := progressKey(b); k > 0 {
				ph := f.phase.Load()
				s.got = append(s.got, delivery{phase: ph, key: int32(k), at: at})
				f.matched.Add(1)
				if ph == 2 && s.missed.Add(1) == f.missedWant.Load() {
					f.firstCaught.CompareAndSwap(0, at.UnixNano())
				}
			}
		case "error", "complete":
			return fmt.Errorf("subscription %s: %.200s", typ, b)
		}
	}
}

// close ends every subscriber.
func (f *fleet) close() {
	f.cancel()
	for _, s := range f.subsList {
		s.mu.Lock()
		if s.conn != nil {
			_ = s.conn.CloseNow()
		}
		s.mu.Unlock()
	}
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
	}
}

func msgType(b []byte) string { return field(b, `"type":"`) }

// field returns the string value after key (a cheap scan, no JSON decoding:
// ten thousand clients share the machine with the server).
func field(b []byte, key string) string {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return ""
	}
	rest := b[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

// progressKey returns n of the summary "Progress n%", or 0.
func progressKey(b []byte) int {
	i := bytes.Index(b, []byte(`"summary":"Progress `))
	if i < 0 {
		return 0
	}
	rest := b[i+len(`"summary":"Progress `):]
	j := bytes.IndexByte(rest, '%')
	if j < 0 {
		return 0
	}
	n, _ := strconv.Atoi(string(rest[:j]))
	return n
}
