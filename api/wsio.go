package api

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// A websocket's bytes pass through a corkConn between coder/websocket and
// the TCP connection, so that what one pass of the transport writes (every
// update a burst queued for the socket, with the frames coder/websocket
// makes of them) leaves in one write system call instead of one per frame,
// and so that an idle socket holds no write buffer:
//
//   - while corked (cork … uncork, nested from any goroutine) writes are
//     appended to a buffer taken from a pool; the last uncork writes it
//     out and gives it back;
//   - uncorked, a write goes straight out (only coder/websocket's own
//     control frames: it answers a client's ping and closes by itself),
//     unless bytes are still buffered, which it then joins: the stream's
//     order is the order of the writes;
//   - every system call has writeTimeout: a client that reads nothing for
//     that long is cut off (the read loop then ends the socket), as
//     coder/websocket's write context did before, without a context and a
//     timer per message.
//
// The HTTP server's 4 KiB read and write buffers go with the upgrade
// request (hijackWriter): the socket reads through a small buffer of its
// own and coder/websocket writes through a tiny one into the corkConn.
type corkConn struct {
	net.Conn

	mu     sync.Mutex
	corked int
	buf    *[]byte // nil unless bytes are waiting
	err    error   // the first failed write: every later one fails the same
}

// Buffer sizes of a socket. Client messages are small (connection_init,
// subscribe, pong); a larger one is read in several calls, which is rare.
const (
	socketReadBuffer  = 512
	socketWriteBuffer = 64 // a frame header; payloads pass through to the corkConn
	maxPooledFrames   = 256 << 10
)

var frameBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, 4096)
	return &b
}}

func putFrameBuffer(b *[]byte) {
	if cap(*b) > maxPooledFrames {
		return // a burst's buffer: let it go rather than pin it in the pool
	}
	*b = (*b)[:0]
	frameBuffers.Put(b)
}

// Write implements io.Writer for coder/websocket.
func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	if c.corked > 0 || c.buf != nil {
		if c.buf == nil {
			c.buf = frameBuffers.Get().(*[]byte)
		}
		*c.buf = append(*c.buf, p...)
		return len(p), nil
	}
	return c.writeLocked(p)
}

// cork holds writes back until the matching uncork.
func (c *corkConn) cork() {
	c.mu.Lock()
	c.corked++
	c.mu.Unlock()
}

// uncork ends a cork; the last one writes out what was held, in one call.
func (c *corkConn) uncork() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corked--
	if c.corked > 0 || c.buf == nil {
		return
	}
	b := c.buf
	c.buf = nil
	_, _ = c.writeLocked(*b)
	putFrameBuffer(b)
}

// writeLocked writes p within writeTimeout. A failure closes the
// connection: the bytes coder/websocket believes sent are lost, and the
// socket's read loop, failing too, ends it.
func (c *corkConn) writeLocked(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	_ = c.Conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	n, err := c.Conn.Write(p)
	if err != nil {
		c.err = err
		_ = c.Conn.Close()
	}
	return n, err
}

// hijackWriter hands coder/websocket's Accept a corkConn and small buffers
// instead of the HTTP server's connection and its 4 KiB buffers.
type hijackWriter struct {
	http.ResponseWriter
	conn *corkConn
}

// Hijack implements http.Hijacker. Bytes the client sent after its upgrade
// request and the server read already are kept in front of the socket's
// reads.
func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = &corkConn{Conn: nc}
	n := brw.Reader.Buffered()
	if n == 0 {
		return w.conn, bufio.NewReadWriter(bufio.NewReaderSize(w.conn, socketReadBuffer), bufio.NewWriterSize(w.conn, socketWriteBuffer)), nil
	}
	// Accept takes what its reader holds buffered and reads the connection
	// after it: the early bytes must be in the new reader's buffer.
	early, _ := brw.Reader.Peek(n)
	br := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(early)), w.conn), max(socketReadBuffer, n))
	if _, err := br.Peek(n); err != nil {
		_ = nc.Close()
		return nil, nil, err
	}
	return w.conn, bufio.NewReadWriter(br, bufio.NewWriterSize(w.conn, socketWriteBuffer)), nil
}
