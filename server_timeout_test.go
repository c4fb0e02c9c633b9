package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"
)

// serveTest serves h like serve does (httpServer, cfg's timeouts) on a
// local port, until the test ends.
func serveTest(t *testing.T, cfg *config, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpServer(context.Background(), cfg, h)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestSlowBodyClosed: a client that sends its headers, then trickles the
// body a byte at a time, is disconnected by the read timeout (before, it
// held the connection and a handler for as long as it liked).
func TestSlowBodyClosed(t *testing.T) {
	t.Parallel()
	cfg := &config{ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 200 * time.Millisecond, IdleTimeout: time.Minute}
	read := make(chan error, 1)
	addr := serveTest(t, cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body) // as every transport does
		read <- err
	}))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{")
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond) // paces the trickle only
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	// A guard against a server that never closes: the test fails on it
	// rather than hanging; the server's timeout is 100 times shorter.
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, err = io.Copy(io.Discard, conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept a trickling connection open")
	}
	if err := <-read; err == nil {
		t.Fatalf("the handler read the whole trickled body, want a timeout")
	}
}

// TestHijackedNotCut: a hijacked connection (a websocket) keeps reading
// past the read timeout.
func TestHijackedNotCut(t *testing.T) {
	t.Parallel()
	cfg := &config{ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 50 * time.Millisecond, IdleTimeout: time.Minute}
	addr := serveTest(t, cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer c.Close()
		fmt.Fprint(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
		b := make([]byte, 5)
		if _, err := io.ReadFull(rw, b); err != nil {
			fmt.Fprintf(c, "error %v\n", err)
			return
		}
		fmt.Fprintf(c, "got %s\n", b)
	}))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", res, err)
	}
	// Five bytes over 250 ms: five times the read timeout.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for range 5 {
		<-tick.C
		conn.Write([]byte("x"))
	}
	line, _ := br.ReadString('\n')
	if line != "got xxxxx\n" {
		t.Fatalf("server said %q, want %q: the read timeout cut a hijacked connection", line, "got xxxxx\n")
	}
}
