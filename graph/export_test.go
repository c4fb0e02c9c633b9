package graph

// GenericLists returns o with every list written through gqlgen's generic
// execution (no directLists), for the tests that compare the two.
func GenericLists(o Options) Options {
	o.genericLists = true
	return o
}
