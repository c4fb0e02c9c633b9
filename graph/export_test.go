package graph

// GenericCards returns o with the board's cards rendered through gqlgen's
// generic execution (not boardCards), for the tests that compare the two.
func GenericCards(o Options) Options {
	o.genericCards = true
	return o
}
