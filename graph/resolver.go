// Package graph is the GraphQL layer: gqlgen's generated code plus thin
// resolvers (authorise → call the store → return the payload). It is the only
// package that imports gqlgen; no business rule is decided here.
//
//go:generate go tool gqlgen generate
package graph

import (
	"bayboard/board"
	"bayboard/store"
)

// Resolver holds what every resolver needs.
type Resolver struct {
	DB  *store.DB
	Hub *board.Hub
}
