package graph

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"bayboard/graph/model"
	"bayboard/shop"
)

// MaxPageSize bounds every connection's page.
const MaxPageSize = 100

// pageSize checks a requested page size against [1, max].
func pageSize(first *int, def, max int) (int, error) {
	if first == nil {
		return def, nil
	}
	if *first < 1 || *first > max {
		return 0, shop.FieldErrorf("first", "Page size must be between 1 and %d; %d is not.", max, *first)
	}
	return *first, nil
}

// Cursors are opaque to clients: base64url of "prefix:part:part".
func encodeCursor(prefix string, parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + ":" + strings.Join(parts, ":")))
}

func decodeCursor(prefix, c string, n int) ([]string, error) {
	bad := shop.FieldErrorf("after", "The cursor is not valid; use an endCursor this API returned.")
	if len(c) > 100 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != n+1 || parts[0] != prefix {
		return nil, bad
	}
	return parts[1:], nil
}

func decodeIDCursor(prefix string, c *string) (int64, error) {
	if c == nil {
		return 0, nil
	}
	p, err := decodeCursor(prefix, *c, 1)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(p[0], 10, 64)
	if err != nil || n <= 0 {
		return 0, shop.FieldErrorf("after", "The cursor is not valid; use an endCursor this API returned.")
	}
	return n, nil
}

func idCursor(prefix string, id int64) string {
	return encodeCursor(prefix, strconv.FormatInt(id, 10))
}

func visitCursor(v *shop.Visit) string {
	return encodeCursor("visit", strconv.FormatInt(v.ReceivedAt.UnixMicro(), 10), strconv.FormatInt(int64(v.ID), 10))
}

func decodeVisitCursor(c string) (time.Time, shop.VisitID, error) {
	p, err := decodeCursor("visit", c, 2)
	if err != nil {
		return time.Time{}, 0, err
	}
	us, err1 := strconv.ParseInt(p[0], 10, 64)
	id, err2 := strconv.ParseInt(p[1], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return time.Time{}, 0, shop.FieldErrorf("after", "The cursor is not valid; use an endCursor this API returned.")
	}
	return time.UnixMicro(us).UTC(), shop.VisitID(id), nil
}

// connection trims a page fetched with one extra row (which only says
// there is a next page) and builds its edges and PageInfo.
func connection[T, E any](rows []T, n int, cursor func(T) string, edge func(cursor string, node T) E) ([]E, *model.PageInfo) {
	edges := make([]E, 0, min(len(rows), n))
	var first, last string
	for i, r := range rows {
		if i == n {
			break
		}
		last = cursor(r)
		if i == 0 {
			first = last
		}
		edges = append(edges, edge(last, r))
	}
	pi := &model.PageInfo{HasNextPage: len(rows) > n}
	if len(edges) > 0 {
		pi.StartCursor, pi.EndCursor = &first, &last
	}
	return edges, pi
}

// userErrors turns a domain error into the payload's userErrors. Anything
// that is not a shop.Error is unexpected and returned as the operation's
// error (logged and masked by the error presenter).
func userErrors(err error) ([]*model.UserError, error) {
	if err == nil {
		return []*model.UserError{}, nil
	}
	code := shop.ErrorCode(err)
	if code == shop.EINTERNAL || code == shop.EUNAVAILABLE {
		return nil, err // the operation's error, not the input's
	}
	return []*model.UserError{{Code: model.ErrorCode(code), Field: inputPath(shop.ErrorField(err)), Message: shop.ErrorMessage(err)}}, nil
}

// inputPath turns the store's name of an input field into its path in the
// mutation's input: "parts[0].quantity" → ["input", "parts", "0", "quantity"].
func inputPath(field string) []string {
	if field == "" {
		return []string{}
	}
	path := []string{"input"}
	for _, part := range strings.Split(field, ".") {
		name, index, ok := strings.Cut(part, "[")
		path = append(path, name)
		if ok {
			path = append(path, strings.TrimSuffix(index, "]"))
		}
	}
	return path
}

// parseID decodes a global ID argument of the wanted type.
func parseID(field, typ, id string) (int64, error) {
	return shop.ParseTypedID(field, typ, id)
}

// sitePage parses the arguments every site-scoped list of IDs takes: the
// site, the page size (1 to MaxPageSize, default 20) and the cursor after
// which the page starts (0 for the first page), of the cursor kind prefix.
func sitePage(siteID string, first *int, after *string, prefix string) (shop.SiteID, int, int64, error) {
	site, err := parseID("siteId", shop.TypeSite, siteID)
	if err != nil {
		return 0, 0, 0, err
	}
	n, err := pageSize(first, 20, MaxPageSize)
	if err != nil {
		return 0, 0, 0, err
	}
	afterID, err := decodeIDCursor(prefix, after)
	if err != nil {
		return 0, 0, 0, err
	}
	return shop.SiteID(site), n, afterID, nil
}
