// Package migrations holds the numbered, forward-only SQL migrations, embedded
// so the binary applies them itself at start (through goose, in package store).
// It imports only embed.
package migrations

import "embed"

// FS holds every *.sql migration. Files are never edited once landed.
//
//go:embed *.sql
var FS embed.FS
