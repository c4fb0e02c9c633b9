//go:build pprof

package main

import (
	"log/slog"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
)

// A build with `-tags pprof` serves Go's profiler on a loopback port
// (BAYBOARD_PPROF_ADDR, default 127.0.0.1:6060), for the benchmarks. The
// normal build has no profiler endpoint at all.
func init() {
	addr := os.Getenv("BAYBOARD_PPROF_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6060"
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			slog.Error("pprof server", "error", err)
		}
	}()
}
