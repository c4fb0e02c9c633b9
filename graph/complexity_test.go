package graph_test

import (
	"testing"

	"bayboard/api"
	"bayboard/shop"
)

// The complexity limit holds for every request of an operation, not only the
// first one computed (the figure is remembered per operation and variables).
func TestComplexityLimitRemembered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	opts := api.DefaultOptions
	opts.ComplexityLimit = 6
	h := e.hardened(opts, 0, 0)
	id := gid(shop.TypeSite, int64(e.f.Site.ID))
	small := `query($id: ID!) { site(id: $id) { id name } }`
	big := `query($id: ID!) { site(id: $id) { id name code timeZone bays { id code name } } }`
	for i := range 3 {
		if r := e.post(t, h, e.f.Advisor, small, map[string]any{"id": id}); len(r.Errors) > 0 {
			t.Fatalf("small, request %d: errors=%+v, want none", i, r.Errors)
		}
		refusedOp(t, "big", e.post(t, h, e.f.Advisor, big, map[string]any{"id": id}), "COMPLEXITY_LIMIT_EXCEEDED")
	}
}
