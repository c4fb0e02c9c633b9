package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestMessage: a message is written in one piece, its payload as given,
// and parses back to what was meant.
func TestMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, typ, id string
		payload       string
		want          string
	}{
		{"OK/Ack", "connection_ack", "", "", `{"type":"connection_ack"}`},
		{"OK/NullPayload", "pong", "", "null", `{"type":"pong"}`},
		{"OK/Next", "next", "1", `{"data":{"x":1}}`, `{"type":"next","id":"1","payload":{"data":{"x":1}}}`},
		{"OK/IDQuoted", "complete", "a\"b\x00<", "", `{"type":"complete","id":"a\"b\u0000\u003c"}`},
		{"OK/ErrorList", "error", "7", `[{"message":"no"}]`, `{"type":"error","id":"7","payload":[{"message":"no"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(message(nil, tt.typ, tt.id, json.RawMessage(tt.payload)))
			if got != tt.want {
				t.Fatalf("message=%s, want %s", got, tt.want)
			}
			var m clientMessage
			if err := json.Unmarshal([]byte(got), &m); err != nil || m.Type != tt.typ || (tt.id != "" && *m.ID != tt.id) {
				t.Fatalf("parsed=%+v err=%v, want type %s id %q", m, err, tt.typ, tt.id)
			}
		})
	}
}

// TestValidSubscribePayload follows the reference server's checks.
func TestValidSubscribePayload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, payload string
		ok            bool
	}{
		{"OK", `{"query":"{ a }"}`, true},
		{"OK/AllFields", `{"query":"{ a }","operationName":"A","variables":{"x":1},"extensions":{}}`, true},
		{"OK/Nulls", `{"query":"{ a }","operationName":null,"variables":null,"extensions":null}`, true},
		{"ErrNoQuery", `{}`, false},
		{"ErrNotObject", `"{ a }"`, false},
		{"ErrVariablesList", `{"query":"{ a }","variables":[1]}`, false},
		{"ErrOperationNameNumber", `{"query":"{ a }","operationName":1}`, false},
		{"ErrQueryNumber", `{"query":1}`, false},
		{"ErrTrailing", `{"query":"{ a }"} x`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validSubscribePayload(json.RawMessage(tt.payload)); got != tt.ok {
				t.Fatalf("valid=%v, want %v", got, tt.ok)
			}
		})
	}
}

// TestCloseReason: a reason fits a close frame, cut on a rune boundary.
func TestCloseReason(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 100) // 200 bytes
	got := closeReason(long)
	if len(got) > maxCloseReasonBytes || !utf8.ValidString(got) || len(got) < maxCloseReasonBytes-1 {
		t.Fatalf("len=%d valid=%v, want at most %d bytes of whole runes", len(got), utf8.ValidString(got), maxCloseReasonBytes)
	}
	if got := closeReason("short"); got != "short" {
		t.Fatalf("reason=%q, want it unchanged", got)
	}
}

// TestPendingSockets: an address past its budget of pending sockets gets
// 429, any address past the instance's pending cap 503; a release gives
// the slot back.
func TestPendingSockets(t *testing.T) {
	t.Parallel()
	p := &pendingSockets{perAddr: 2, max: 3}
	steps := []struct {
		name    string
		addr    string
		release bool
		want    int
	}{
		{"OK/First", "a", false, 0},
		{"OK/Second", "a", false, 0},
		{"ErrTooManyRequests/ThirdOfAddress", "a", false, http.StatusTooManyRequests},
		{"OK/OtherAddress", "b", false, 0},
		{"ErrUnavailable/InstanceFull", "c", false, http.StatusServiceUnavailable},
		{"ErrTooManyRequests/BeforeUnavailable", "a", false, http.StatusTooManyRequests},
		{"OK/Release", "a", true, 0},
		{"OK/AfterRelease", "c", false, 0},
		{"ErrUnavailable/FullAgain", "d", false, http.StatusServiceUnavailable},
	}
	for _, s := range steps { // in order: each step starts where the last ended
		t.Run(s.name, func(t *testing.T) {
			if s.release {
				p.release(s.addr)
				return
			}
			if got := p.acquire(s.addr); got != s.want {
				t.Fatalf("status=%d, want %d", got, s.want)
			}
		})
	}
	if p.total != 3 || len(p.byAddr) != 3 {
		t.Fatalf("total=%d addresses=%v, want 3 over a, b, c", p.total, p.byAddr)
	}
}
