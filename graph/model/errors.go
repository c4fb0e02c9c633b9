// Package model holds the GraphQL-only types: those with no domain
// counterpart (payloads, connections, user errors). Generated ones live in
// models_gen.go.
package model

// ErrorCode is a stable error code (shop's codes).
type ErrorCode string

// UserError is an expected failure of a mutation.
type UserError struct {
	Code    ErrorCode
	Field   []string
	Message string
}

// Node is any record with a global ID. The domain types do not know GraphQL,
// so the interface asks nothing of them; the generated code switches on the
// concrete type.
type Node interface{}
