package graph

// GenericLists returns s with every list written through gqlgen's generic
// execution (no directLists), for the tests that compare the two.
func GenericLists(s Schema) Schema {
	s.Fields = nil
	return s
}
