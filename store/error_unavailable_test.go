package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"

	"bayboard/shop"
)

// TestTranslateUnavailable: the driver's ways of saying the database cannot
// be reached become UNAVAILABLE; statement failures do not.
func TestTranslateUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"ErrUnavailable/BadConn", fmt.Errorf("begin: %w", driver.ErrBadConn), shop.EUNAVAILABLE},
		{"ErrUnavailable/Refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, shop.EUNAVAILABLE},
		{"ErrUnavailable/DialDeadline", &net.OpError{Op: "dial", Net: "tcp", Err: context.DeadlineExceeded}, shop.EUNAVAILABLE},
		{"ErrUnavailable/EOF", io.ErrUnexpectedEOF, shop.EUNAVAILABLE},
		{"ErrUnavailable/ConnectionException", &pq.Error{Code: "08006"}, shop.EUNAVAILABLE},
		{"ErrUnavailable/AdminShutdown", &pq.Error{Code: "57P01"}, shop.EUNAVAILABLE},
		{"ErrUnavailable/StartingUp", &pq.Error{Code: "57P03"}, shop.EUNAVAILABLE},
		{"ErrUnavailable/TooManyConnections", &pq.Error{Code: "53300"}, shop.EUNAVAILABLE},
		{"OK/StatementTimeout", &pq.Error{Code: "57014"}, shop.EINTERNAL},
		{"OK/Syntax", &pq.Error{Code: "42601"}, shop.EINTERNAL},
		{"OK/Unique", &pq.Error{Code: "23505"}, shop.ECONFLICT},
		{"OK/Deadline", context.DeadlineExceeded, shop.EINTERNAL},
		{"OK/CanceledDial", &net.OpError{Op: "dial", Net: "tcp", Err: context.Canceled}, shop.EINTERNAL},
		{"OK/Other", errors.New("boom"), shop.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shop.ErrorCode(translate(tt.err)); got != tt.code {
				t.Fatalf("code=%v, want %v", got, tt.code)
			}
		})
	}
}
