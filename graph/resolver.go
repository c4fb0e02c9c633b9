// Package graph is the GraphQL schema: gqlgen's generated code plus thin
// resolvers (authorise → call the store → return the payload), the loaders
// and the live feeds' rendering. It may import store, board and shop, and
// gqlgen for the schema's execution; never api (the transport, which
// imports graph). No business rule is decided here.
//
//go:generate go tool gqlgen generate
package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"bayboard/board"
	"bayboard/store"
)

// Resolver holds what every resolver needs.
type Resolver struct {
	DB  *store.DB
	Hub *board.Hub
}

// Schema is the executable schema with the middlewares its resolvers rely
// on: a transport (api.NewServer) installs each one that is not nil.
type Schema struct {
	graphql.ExecutableSchema
	// Operations renders each live update once per subscription shape (live.go).
	Operations graphql.OperationMiddleware
	// RootFields gives every root field fresh loaders: batching within the
	// field, and no value cached by one mutation is served after the next.
	RootFields graphql.RootFieldMiddleware
	// Fields writes the board snapshot's cards directly (boardcards.go).
	Fields graphql.FieldMiddleware
}

// NewSchema returns the schema over db; without hub the live feeds answer
// INTERNAL.
func NewSchema(db *store.DB, hub *board.Hub) Schema {
	return Schema{
		ExecutableSchema: NewExecutableSchema(Config{Resolvers: &Resolver{DB: db, Hub: hub}}),
		Operations:       newLiveOperations(defaultMemoSize),
		RootFields: func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
			return next(withNewLoaders(ctx, db))
		},
		Fields: boardCards,
	}
}
