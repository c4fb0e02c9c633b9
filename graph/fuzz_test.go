package graph

import (
	"strconv"
	"strings"
	"testing"

	"bayboard/shop"
)

// Fuzz targets for the cursors clients send back (the feed's, and the
// connections'). `make test` runs each briefly; `go test -fuzz=FuzzX ./graph`
// runs one for as long as you like. Every refusal must be a typed INVALID on
// the field "after", never a panic.

func FuzzParseFeedCursor(f *testing.F) {
	for _, s := range []string{"", "0", "42", "-1", "9223372036854775808", " 7", "1e3", strings.Repeat("9", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseFeedCursor(&s)
		if err != nil {
			if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "after" {
				t.Fatalf("%q: code=%v field=%q, want INVALID on after", s, shop.ErrorCode(err), shop.ErrorField(err))
			}
			return
		}
		if s == "" {
			if n != nil {
				t.Fatalf("empty cursor gave %d, want none", *n)
			}
			return
		}
		if n == nil || *n < 0 {
			t.Fatalf("%q accepted as %v", s, n)
		}
		if m, err := parseFeedCursor(ptr(strconv.FormatInt(*n, 10))); err != nil || *m != *n {
			t.Fatalf("round trip of %d gave %v, %v", *n, m, err)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{idCursor("event", 42), idCursor("audit", 1), encodeCursor("visit", "1", "2"), "", "!!", "ZXZlbnQ6", strings.Repeat("A", 101)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := decodeIDCursor("event", &s)
		if err != nil {
			if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "after" {
				t.Fatalf("%q: code=%v field=%q, want INVALID on after", s, shop.ErrorCode(err), shop.ErrorField(err))
			}
			return
		}
		if n <= 0 {
			t.Fatalf("%q accepted as %d", s, n)
		}
		if m, err := decodeIDCursor("event", ptr(idCursor("event", n))); err != nil || m != n {
			t.Fatalf("round trip of %d gave %d, %v", n, m, err)
		}
	})
}

func FuzzDecodeVisitCursor(f *testing.F) {
	for _, s := range []string{encodeCursor("visit", "1700000000000000", "12"), encodeCursor("visit", "-1", "1"), idCursor("event", 3), "", "dmlzaXQ6Og"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		at, id, err := decodeVisitCursor(s)
		if err != nil {
			if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "after" {
				t.Fatalf("%q: code=%v field=%q, want INVALID on after", s, shop.ErrorCode(err), shop.ErrorField(err))
			}
			return
		}
		if id <= 0 {
			t.Fatalf("%q accepted with id %d", s, id)
		}
		v := &shop.Visit{ID: id, ReceivedAt: at}
		if at2, id2, err := decodeVisitCursor(visitCursor(v)); err != nil || id2 != id || !at2.Equal(at) {
			t.Fatalf("round trip of %v %d gave %v %d, %v", at, id, at2, id2, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
