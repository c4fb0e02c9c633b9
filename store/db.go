// Package store keeps the service department's records in PostgreSQL through
// sqlx and lib/pq: queries, transactions, the event log (a transactional
// outbox), idempotency keys and the embedded goose migrations. It turns driver
// errors into shop errors in one place (error.go).
//
// It may import shop and migrations; never graph, board or gqlgen.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"bayboard/migrations"
)

// DB is the store: a connection pool plus the clock every record's time comes from.
type DB struct {
	db  *sqlx.DB
	dsn string
	// Now is the clock; tests replace it.
	Now func() time.Time
	// statements counts SQL statements sent, for tests and metrics.
	statements atomic.Int64
	// TokenCacheTTL keeps resolved bearer tokens in memory that long (0: off),
	// saving a query per request. A revocation through this DB takes effect at
	// once; one made elsewhere (another instance, the CLI) within the TTL.
	TokenCacheTTL time.Duration
	tokens        tokenCache
	// PublicURL is the address customers reach the server at: the base of
	// the approval links in their messages.
	PublicURL string
	// Production refuses webhook endpoints over plain http.
	Production bool
	// AllowPrivateWebhooks lets webhook endpoints be on loopback, link-local
	// and private addresses (BAYBOARD_WEBHOOK_ALLOW_PRIVATE): off, they must
	// be public (shop.CheckWebhookHost).
	AllowPrivateWebhooks bool
	// LookupIP resolves a webhook endpoint's host when it is registered
	// (nil: the system resolver).
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// AttachmentKey signs the short-lived URLs of photos (AttachmentURL).
	AttachmentKey []byte
	// stmts holds the prepared statements of the hot reads (see prepared),
	// by SQL text.
	stmts sync.Map
}

// Open connects to PostgreSQL at dsn and checks the connection.
func Open(ctx context.Context, dsn string, maxConns int) (*DB, error) {
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	d := &DB{dsn: dsn, Now: time.Now}
	sdb := sql.OpenDB(&countingConnector{Connector: c, n: &d.statements})
	if maxConns <= 0 {
		maxConns = 20
	}
	sdb.SetMaxOpenConns(maxConns)
	sdb.SetMaxIdleConns(maxConns)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	d.db = sqlx.NewDb(sdb, "postgres")
	d.db.Mapper = snakeMapper
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.db.PingContext(pctx); err != nil {
		d.db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return d, nil
}

// Close closes the prepared statements and the pool.
func (d *DB) Close() error {
	d.stmts.Range(func(_, s any) bool {
		s.(*sqlx.Stmt).Close()
		return true
	})
	return d.db.Close()
}

// prepared returns query as a statement prepared for the pool: database/sql
// prepares it on a connection the first time it runs there. PostgreSQL then
// parses and plans it once per connection instead of on every call, and it
// runs in one round trip, where lib/pq otherwise takes two (parse and
// describe, then bind and execute). For the constant SQL of the hot reads
// only: every text given is kept for the life of the DB.
func (d *DB) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if s, ok := d.stmts.Load(query); ok {
		return s.(*sqlx.Stmt), nil
	}
	s, err := d.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if old, loaded := d.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return old.(*sqlx.Stmt), nil
	}
	return s, nil
}

// query runs a hot read through its prepared statement.
func (d *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := d.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// getPrepared is sqlx's GetContext through the prepared statement of query.
func (d *DB) getPrepared(ctx context.Context, dest any, query string, args ...any) error {
	s, err := d.prepared(ctx, query)
	if err != nil {
		return err
	}
	return s.GetContext(ctx, dest, args...)
}

// preparedReads runs the reads of a queryer (GetContext, SelectContext) through
// prepared statements: for helpers shared with transactions, when they run
// outside one.
type preparedReads struct{ d *DB }

func (p preparedReads) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return p.d.getPrepared(ctx, dest, query, args...)
}

func (p preparedReads) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return p.d.selectPrepared(ctx, dest, query, args...)
}

// selectPrepared is sqlx's SelectContext through the prepared statement of query.
func (d *DB) selectPrepared(ctx context.Context, dest any, query string, args ...any) error {
	s, err := d.prepared(ctx, query)
	if err != nil {
		return err
	}
	return s.SelectContext(ctx, dest, args...)
}

// DSN returns the connection string, for components that need their own
// connection (the LISTEN connection of the realtime hub).
func (d *DB) DSN() string { return d.dsn }

// Statements returns how many SQL statements this DB has sent so far.
func (d *DB) Statements() int64 { return d.statements.Load() }

// PoolStats returns the pool's statistics, for metrics.
func (d *DB) PoolStats() sql.DBStats { return d.db.Stats() }

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }

// Migrate applies the embedded migrations under a PostgreSQL advisory lock,
// so several instances may start at once.
func (d *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, d.db.DB, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range res {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// MigrationsPending reports whether embedded migrations are not yet applied.
func (d *DB) MigrationsPending(ctx context.Context) (bool, error) {
	p, err := goose.NewProvider(goose.DialectPostgres, d.db.DB, migrations.FS)
	if err != nil {
		return false, err
	}
	return p.HasPending(ctx)
}

// tx runs fn in a read-committed transaction and commits it when fn returns nil.
func (d *DB) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return translate(err)
	}
	return translate(tx.Commit())
}

// countingConnector counts every statement sent through its connections.
type countingConnector struct {
	driver.Connector
	n *atomic.Int64
}

func (c *countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, n: c.n}, nil
}

// countingConn forwards to the pq connection, counting queries and execs.
type countingConn struct {
	driver.Conn
	n *atomic.Int64
}

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.Add(1)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.n.Add(1)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	s, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: s, n: c.n}, nil
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *countingConn) Ping(ctx context.Context) error {
	return c.Conn.(driver.Pinger).Ping(ctx)
}

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *countingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

// countingStmt counts the runs of a prepared statement (preparing it is not
// a statement of its own).
type countingStmt struct {
	driver.Stmt
	n *atomic.Int64
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.Add(1)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.Add(1)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

var _ io.Closer = (*DB)(nil)
var _ = errors.New

// MaxListPage is the most items a page of a plain list (callbacks due,
// complaints, invitations, reservations, warranty claims, retained parts)
// holds: a list is read page by page, never cut silently.
const MaxListPage = 500

// Page is a part of a long list, in the list's order: at most First items
// (MaxListPage when 0 or more) after the item whose ID is After (0: from
// the start). A full page means the list may go on.
type Page struct {
	First int
	After int64
}

// limit returns how many rows the page reads.
func (p Page) limit() int {
	if p.First <= 0 || p.First > MaxListPage {
		return MaxListPage
	}
	return p.First
}

// after returns the ID the page continues after, nil from the start.
func (p Page) after() *int64 {
	if p.After <= 0 {
		return nil
	}
	return &p.After
}
