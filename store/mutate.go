package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"bayboard/shop"
)

// change is what a mutation's body gets: its transaction, who acts, and the
// one "now" every time it writes comes from.
type change struct {
	d     *DB
	ctx   context.Context
	tx    *sqlx.Tx
	actor *shop.Actor
	now   time.Time
	// notified is set once the transaction has queued its NOTIFY.
	notified bool
	// caused are the events appended so far: before commit, the outbox
	// writes the messages they cause (queueCausedMessages, outbox.go).
	caused []shop.Event
}

// errReplayed ends a transaction whose idempotency key was already used for
// the same input: nothing is done twice, the first result is returned.
var errReplayed = errors.New("replayed")

// mutate runs fn in one transaction for the request's actor. With an
// idempotency key, a retry with the same operation and input returns the
// first call's result without running fn again; the same key with another
// input is rejected. A failed call stores nothing, so it may be retried.
func mutate[T any](d *DB, ctx context.Context, op, key string, input any, fn func(c *change) (T, error)) (T, error) {
	var out T
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return out, err
	}
	if err := shop.CheckIdempotencyKey(key); err != nil {
		return out, err
	}
	var hash []byte
	if key != "" { // without a key there is nothing to compare a retry with
		if hash, err = inputHash(op, input); err != nil {
			return out, err
		}
	}
	d.prepareTxStatements(ctx)
	err = d.tx(ctx, func(tx *sqlx.Tx) error {
		c := &change{d: d, ctx: ctx, tx: tx, actor: a, now: d.Now().UTC().Truncate(time.Microsecond)}
		if key != "" {
			replayed, err := claimKey(c, key, op, hash, &out)
			if err != nil {
				return err
			}
			if replayed {
				return errReplayed
			}
		}
		res, err := fn(c)
		if err != nil {
			return err
		}
		if err := queueCausedMessages(c); err != nil {
			return err
		}
		out = res
		if key != "" {
			b, err := json.Marshal(out)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `
				UPDATE idempotency_keys SET result = $3 WHERE user_id = $1 AND key = $2`,
				a.UserID, key, b); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errReplayed) {
		return out, nil
	}
	return out, err
}

// txStatements are the statements mutations send most (a job step's two, an
// event's), run prepared: PostgreSQL parses and plans each once per
// connection, and it takes one round trip instead of lib/pq's two.
var txStatements = []string{lockJobSQL, jobStepQuery, jobStepAndWakeQuery, insertEvent, insertEventAndWake}

// prepareTxStatements prepares txStatements for the pool, once. It runs
// before the transaction takes its connection: database/sql prepares a pool
// statement on a connection of its own, which a transaction holding the
// pool's last one would wait for forever. Inside, the transaction only binds
// the statement to its connection (prepared there the first time). A
// statement that failed to prepare runs unprepared, and fails there if it must.
func (d *DB) prepareTxStatements(ctx context.Context) {
	for _, q := range txStatements {
		if _, ok := d.stmts.Load(q); !ok {
			_, _ = d.prepared(ctx, q)
		}
	}
}

// txStmt returns query's prepared statement bound to the change's
// transaction, or nil when it has none (see prepareTxStatements).
func (c *change) txStmt(query string) *sqlx.Stmt {
	s, ok := c.d.stmts.Load(query)
	if !ok {
		return nil
	}
	return c.tx.StmtxContext(c.ctx, s.(*sqlx.Stmt))
}

// exec runs query in the change's transaction, prepared when it is one of
// txStatements.
func (c *change) exec(query string, args ...any) (sql.Result, error) {
	if s := c.txStmt(query); s != nil {
		return s.ExecContext(c.ctx, args...)
	}
	return c.tx.ExecContext(c.ctx, query, args...)
}

// queryRow runs a one-row query in the change's transaction, prepared when
// it is one of txStatements.
func (c *change) queryRow(query string, args ...any) rowScanner {
	if s := c.txStmt(query); s != nil {
		return s.QueryRowContext(c.ctx, args...)
	}
	return c.tx.QueryRowContext(c.ctx, query, args...)
}

// query runs a query in the change's transaction, prepared when it is one
// of txStatements.
func (c *change) query(query string, args ...any) (*sql.Rows, error) {
	if s := c.txStmt(query); s != nil {
		return s.QueryContext(c.ctx, args...)
	}
	return c.tx.QueryContext(c.ctx, query, args...)
}

func inputHash(op string, input any) ([]byte, error) {
	b, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(append([]byte(op+"\x00"), b...))
	return h[:], nil
}

// claimKey records the key, or finds its earlier use. An insert racing with a
// concurrent use of the same key waits for that transaction to end.
func claimKey(c *change, key, op string, hash []byte, out any) (replayed bool, err error) {
	res, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO idempotency_keys (user_id, key, operation, input_hash, result, created_at)
		VALUES ($1, $2, $3, $4, 'null', $5)
		ON CONFLICT (user_id, key) DO NOTHING`,
		c.actor.UserID, key, op, hash, c.now)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return false, nil
	}
	var prev struct {
		Operation string
		InputHash []byte
		Result    []byte
	}
	if err := c.tx.GetContext(c.ctx, &prev, `
		SELECT operation, input_hash, result FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
		c.actor.UserID, key); err != nil {
		return false, err
	}
	if err := shop.CheckKeyReuse(prev.Operation == op, bytes.Equal(prev.InputHash, hash)); err != nil {
		return false, err
	}
	return true, json.Unmarshal(prev.Result, out)
}

// checkVersion fails with CONFLICT when the caller names a version that is
// no longer current (see shop.CheckVersion).
func checkVersion(kind string, expected *int, current int) error {
	return shop.CheckVersion(kind, expected, current)
}

// eventColumnsIn lists the columns an event is written with, in the order of
// eventArgs.
const eventColumnsIn = `site_id, kind, order_id, job_id, visit_id, advisor_id, actor_id, summary, at`

// insertEventSQL returns the INSERT of one event whose nine values are
// parameters $first…$first+8. With notify it also queues the wake-up
// (pg_notify, parameter $first+9) in the same statement: a function in FROM
// runs exactly once, and like the row it counts only if the transaction
// commits.
func insertEventSQL(first int, notify bool) string {
	var b strings.Builder
	b.WriteString("INSERT INTO events (" + eventColumnsIn + ")\n\t\tSELECT ")
	for i := range 9 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
	}
	if notify {
		fmt.Fprintf(&b, " FROM pg_notify($%d, '')", first+9)
	}
	return b.String()
}

var (
	insertEvent        = insertEventSQL(1, false)
	insertEventAndWake = insertEventSQL(1, true)
)

// eventArgs stamps ev with the change's time and actor and returns its values
// for insertEventSQL, with the channel last when the change still has to wake
// the listeners (and records that it will have).
func (c *change) eventArgs(ev *shop.Event) (args []any, notify bool) {
	ev.At = c.now
	ev.ActorID = &c.actor.UserID
	c.caused = append(c.caused, *ev)
	args = []any{ev.SiteID, ev.Kind, ev.OrderID, ev.JobID, ev.VisitID, ev.AdvisorID, ev.ActorID, ev.Summary, ev.At}
	if c.notified {
		return args, false
	}
	c.notified = true
	return append(args, ChannelEvents), true
}

// event appends an entry to the event log in the change's transaction and
// wakes the listeners; the NOTIFY is delivered only if the transaction commits.
func (c *change) event(ev shop.Event) error {
	args, notify := c.eventArgs(&ev)
	q := insertEvent
	if notify {
		q = insertEventAndWake
	}
	_, err := c.exec(q, args...)
	return err
}
