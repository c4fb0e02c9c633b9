// Package demo seeds a realistic workshop day for `make run`. It may import
// store and shop.
package demo

import (
	"context"
	"log/slog"

	"bayboard/store"
)

// Token is a demo user's bearer token, printed at start.
type Token struct {
	Role  string
	Name  string
	Token string
}

// Seed fills an empty database with a demo site; it does nothing when a site exists.
func Seed(ctx context.Context, db *store.DB, log *slog.Logger) ([]Token, error) {
	return nil, nil
}
