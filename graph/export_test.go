package graph

// GenericCards returns o with the board's cards written by gqlgen's own
// execution (no boardCards), for the tests that compare the two.
func GenericCards(o Options) Options {
	o.genericCards = true
	return o
}
