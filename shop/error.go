package shop

import (
	"errors"
	"fmt"
)

// Error codes: the small, stable set every layer speaks. Clients branch on
// these; messages are for people.
const (
	ENOTFOUND          = "NOT_FOUND"
	EINVALID           = "INVALID"
	EINVALIDTRANSITION = "INVALID_TRANSITION"
	ECONFLICT          = "CONFLICT"
	EFORBIDDEN         = "FORBIDDEN"
	EUNAUTHENTICATED   = "UNAUTHENTICATED"
	EINTERNAL          = "INTERNAL"
	// EUNAVAILABLE: the service cannot reach what it needs (the database is
	// down or refusing connections). Nothing was changed; the same request
	// may be retried, after the HTTP answer's Retry-After.
	EUNAVAILABLE = "UNAVAILABLE"
)

// Error is an expected failure with a code a client can branch on and a
// message a user can read. Field names the input field at fault, if any.
type Error struct {
	Code    string
	Message string
	Field   string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("shop error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error of code INVALID that names the input field at fault.
func FieldErrorf(field string, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, INTERNAL for any
// other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the readable message of the *Error in err's chain, and
// "Internal error." for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the input field named by the *Error in err's chain, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// NotFoundf returns an *Error of code NOT_FOUND, naming the input field that
// pointed at the missing record when there is one.
func NotFoundf(field string, format string, args ...any) *Error {
	return &Error{Code: ENOTFOUND, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Conflictf returns an *Error of code CONFLICT, naming the input field at
// fault when there is one.
func Conflictf(field string, format string, args ...any) *Error {
	return &Error{Code: ECONFLICT, Field: field, Message: fmt.Sprintf(format, args...)}
}
