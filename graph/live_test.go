package graph_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestWebsocketSharedRendering: subscribers of the same shape (document,
// variables but `after`, role) get the same bytes for an update, rendered
// once; another role or another document renders its own, with its own
// aliases. Every subscriber still gets every event, in log order.
func TestWebsocketSharedRendering(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, nil).start()
	head := e.head(t)
	aliased := `subscription ($site: ID!) { feed: boardFeed(siteId: $site) { cursor kind card { plate progress } } }`
	type client struct {
		name  string
		c     *wsClient
		field string
	}
	sub := func(name, token, query string, vars map[string]any, field string) client {
		c := e.dial(t, protoTransportWS, nil)
		c.init(token)
		p, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		c.send(wsMsg{Type: "subscribe", ID: "s", Payload: p})
		return client{name, c, field}
	}
	clients := []client{
		sub("board, after head", e.boardToken, wsBoardFeedQuery, map[string]any{"site": e.site, "after": strconv.FormatInt(head, 10)}, "boardFeed"),
		sub("board, live", e.boardToken, wsBoardFeedQuery, map[string]any{"site": e.site}, "boardFeed"),
		sub("technician", e.techToken, wsBoardFeedQuery, map[string]any{"site": e.site}, "boardFeed"),
		sub("board, aliased", e.boardToken, aliased, map[string]any{"site": e.site}, "feed"),
	}
	waitFor(t, func() bool { return e.hub.Stats.Subscribers.Load() == int64(len(clients)) }, "every subscription")
	read := func(c client) (json.RawMessage, string) {
		t.Helper()
		m := c.c.next()
		if m.Type != "next" {
			t.Fatalf("%s: message=%s %s, want next", c.name, m.Type, m.Payload)
		}
		var p struct {
			Data map[string]struct {
				Cursor string `json:"cursor"`
			} `json:"data"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatalf("%s: payload %s: %v", c.name, m.Payload, err)
		}
		u, ok := p.Data[c.field]
		if !ok || u.Cursor == "" {
			t.Fatalf("%s: payload %s, want data.%s with a cursor", c.name, m.Payload, c.field)
		}
		return m.Payload, u.Cursor
	}
	// The first event also settles the subscription resuming from head:
	// whatever it replayed was read from the log for it alone.
	e.progress(t, 5)
	for _, c := range clients {
		read(c)
	}
	r0, s0 := e.hub.Stats.Rendered.Load(), e.hub.Stats.Shared.Load()
	// A burst: updates queue up and are rendered while others are sent
	// (gqlgen reuses its buffer, so shared bytes must be a copy).
	const events = 12
	for i := range events {
		e.progress(t, 10+i)
	}
	payloads := make([][]json.RawMessage, len(clients))
	cursors := make([][]string, events)
	for j, c := range clients {
		for i := range events {
			p, cur := read(c)
			payloads[j] = append(payloads[j], p)
			cursors[i] = append(cursors[i], cur)
		}
	}
	for i := range events {
		if string(payloads[0][i]) != string(payloads[1][i]) {
			t.Fatalf("event %d: the two board subscribers of one shape got\n%s\n%s", i, payloads[0][i], payloads[1][i])
		}
		for j, c := range cursors[i] {
			if c != cursors[i][0] {
				t.Fatalf("event %d: %s has cursor %s, %s has %s", i, clients[j].name, c, clients[0].name, cursors[i][0])
			}
		}
		var card struct {
			Data struct {
				Feed struct {
					Card *struct{ Plate string } `json:"card"`
				} `json:"feed"`
			} `json:"data"`
		}
		if err := json.Unmarshal(payloads[3][i], &card); err != nil || card.Data.Feed.Card == nil || !strings.Contains(card.Data.Feed.Card.Plate, "•") {
			t.Fatalf("event %d: aliased payload %s, want data.feed with the card's masked plate", i, payloads[3][i])
		}
	}
	want := e.logAfter(t, head)
	var got []string
	got = append(got, fmt.Sprint(want[0]))
	for _, cs := range cursors {
		got = append(got, cs[0])
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("cursors %v, want the log's %v", got, want)
	}
	// Per event: the board shape once (its second subscriber shares), the
	// technician's and the aliased document's once each.
	waitFor(t, func() bool { return e.hub.Stats.Rendered.Load()-r0 == 3*events }, "three renderings per event")
	if r, s := e.hub.Stats.Rendered.Load()-r0, e.hub.Stats.Shared.Load()-s0; r != 3*events || s != events {
		t.Fatalf("rendered %d, shared %d; want %d and %d", r, s, 3*events, events)
	}
	if d := e.hub.Stats.Dropped.Load(); d != 0 {
		t.Fatalf("dropped=%d subscribers, want none", d)
	}
	for _, c := range clients {
		c.c.alive()
	}
}
