package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"bayboard/shop"
)

const siteColumns = `id, code, name, time_zone, currency, labour_rate, opens_at, closes_at, first_callback_days,
	callback_not_by_advisor, version`

// CreateSite stores a new site with its defaults (shop.NewSite). Used by
// set-up and the demo; no actor needed. Errors: INVALID, CONFLICT.
func (d *DB) CreateSite(ctx context.Context, s *shop.Site) error {
	checked, err := shop.NewSite(*s)
	if err != nil {
		return err
	}
	*s = checked
	err = d.db.QueryRowContext(ctx, `
		INSERT INTO sites (code, name, time_zone, currency, labour_rate, opens_at, closes_at, first_callback_days,
			callback_not_by_advisor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		s.Code, s.Name, s.TimeZone, s.Currency, s.LabourRate, s.OpensAt, s.ClosesAt, s.FirstCallbackDays,
		s.CallbackNotByAdvisor).Scan(&s.ID)
	return translate(err)
}

// FindSiteByID returns a site the actor may see, with its weekly hours and
// closed days; NOT_FOUND otherwise.
func (d *DB) FindSiteByID(ctx context.Context, id shop.SiteID) (*shop.Site, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanSeeSite(id) {
		return nil, notFound("site")
	}
	s, err := d.site(ctx, id)
	if err != nil {
		return nil, err
	}
	return s, d.loadHours(ctx, d.db, s) // with its hours, so HoursOn answers
}

func (d *DB) site(ctx context.Context, id shop.SiteID) (*shop.Site, error) {
	var s shop.Site
	err := d.getPrepared(ctx, &s, `SELECT `+siteColumns+` FROM sites WHERE id = $1`, id)
	if isNoRows(err) {
		return nil, notFound("site")
	}
	return &s, translate(err)
}

// FindSites returns the sites the actor may see.
func (d *DB) FindSites(ctx context.Context) ([]*shop.Site, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var out []*shop.Site
	err = d.db.SelectContext(ctx, &out, `SELECT `+siteColumns+` FROM sites WHERE id = ANY($1) ORDER BY id`, pq.Array(a.SiteIDs))
	return out, translate(err)
}

// FindSiteByCode returns a site by its code, for set-up commands.
func (d *DB) FindSiteByCode(ctx context.Context, code string) (*shop.Site, error) {
	var s shop.Site
	err := d.db.GetContext(ctx, &s, `SELECT `+siteColumns+` FROM sites WHERE code = $1`, code)
	if isNoRows(err) {
		return nil, notFound("site")
	}
	return &s, translate(err)
}

// CreateUser stores a user with their sites (shop.NewUser checks the role).
// Errors: INVALID, NOT_FOUND (a site that does not exist).
func (d *DB) CreateUser(ctx context.Context, u *shop.User) error {
	checked, err := shop.NewUser(*u)
	if err != nil {
		return err
	}
	*u = checked
	return d.tx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO users (name, short_name, role, team_lead, team) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			u.Name, u.ShortName, u.Role, u.TeamLead, u.Team).Scan(&u.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO user_sites (user_id, site_id) SELECT $1, unnest($2::BIGINT[])`, u.ID, pq.Array(u.SiteIDs))
		return err
	})
}

const userColumns = `u.id, u.name, u.short_name, u.role, u.team_lead, u.team, u.active, u.team_id, u.version,
	COALESCE((SELECT array_agg(site_id ORDER BY site_id) FROM user_sites WHERE user_id = u.id), '{}') AS site_ids`

type userRow struct {
	shop.User
	// The tag is needed: the mapper spells SiteIDs site_i_ds.
	SiteIDs pq.Int64Array `db:"site_ids"`
}

func (r *userRow) user() *shop.User {
	u := r.User
	u.SiteIDs = make([]shop.SiteID, len(r.SiteIDs))
	for i, s := range r.SiteIDs {
		u.SiteIDs[i] = shop.SiteID(s)
	}
	return &u
}

// FindUsersByIDs returns users by ID in one statement (for loaders). Users
// outside the actor's sites are left out.
func (d *DB) FindUsersByIDs(ctx context.Context, ids []shop.UserID) (map[shop.UserID]*shop.User, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*userRow
	if err := d.selectPrepared(ctx, &rows, `
		SELECT `+userColumns+` FROM users u
		WHERE u.id = ANY($1) AND EXISTS (SELECT 1 FROM user_sites s WHERE s.user_id = u.id AND s.site_id = ANY($2))`,
		pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := make(map[shop.UserID]*shop.User, len(rows))
	for _, r := range rows {
		out[r.ID] = r.user()
	}
	return out, nil
}

// FindUsers lists the users of a site, optionally of one role.
func (d *DB) FindUsers(ctx context.Context, site shop.SiteID, role *shop.Role) ([]*shop.User, error) {
	_, err := authorize(ctx, site, shop.ActRead)
	if err != nil {
		return nil, err
	}
	var rows []*userRow
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT `+userColumns+` FROM users u
		WHERE EXISTS (SELECT 1 FROM user_sites s WHERE s.user_id = u.id AND s.site_id = $1)
		  AND ($2::TEXT IS NULL OR u.role = $2) AND u.role <> 'BOARD'
		ORDER BY u.role, u.name`, site, role); err != nil {
		return nil, translate(err)
	}
	out := make([]*shop.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}

// HashToken returns the stored form of a bearer token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateToken issues a bearer token for a user and returns it; only its hash
// is stored. ttl 0 means no expiry.
func (d *DB) CreateToken(ctx context.Context, user shop.UserID, label string, ttl time.Duration) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	return token, d.StoreToken(ctx, user, token, label, ttl)
}

// newToken returns a new random bearer token (the CLI's and the API's).
func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "bb_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// StoreToken stores a given token for a user (the demo uses readable
// tokens). Errors: INVALID (too short), CONFLICT.
func (d *DB) StoreToken(ctx context.Context, user shop.UserID, token, label string, ttl time.Duration) error {
	if err := shop.ValidToken(token); err != nil {
		return err
	}
	exp := shop.TokenExpiry(d.Now(), ttl)
	_, err := d.db.ExecContext(ctx, `
		INSERT INTO tokens (hash, user_id, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		HashToken(token), user, label, d.Now(), exp)
	return translate(err)
}

// FindActorByToken returns the actor behind a bearer token: UNAUTHENTICATED
// when the token is unknown, expired, revoked or its user inactive.
func (d *DB) FindActorByToken(ctx context.Context, token string) (*shop.Actor, error) {
	token = strings.TrimSpace(token)
	hash := HashToken(token)
	if a, exp, ok := d.tokens.get(string(hash)); ok {
		if exp != nil && shop.TokenExpired(exp, d.Now()) { // the clock is read only for tokens that expire
			d.tokens.drop(string(hash))
			return nil, shop.ErrTokenExpired()
		}
		return a, nil
	}
	var row struct {
		userRow
		ExpiresAt *time.Time
		RevokedAt *time.Time
	}
	err := d.getPrepared(ctx, &row, `
		SELECT `+userColumns+`, t.expires_at, t.revoked_at
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, HashToken(token))
	if isNoRows(err) {
		return nil, shop.ErrTokenUnknown()
	} else if err != nil {
		return nil, translate(err)
	}
	var now time.Time // the clock is read only for tokens that expire
	if row.ExpiresAt != nil {
		now = d.Now()
	}
	a, err := shop.TokenActor(*row.user(), row.ExpiresAt, row.RevokedAt, now)
	if err != nil {
		return nil, err
	}
	d.tokens.put(string(hash), a, row.ExpiresAt, d.TokenCacheTTL)
	return a, nil
}

// TokenCheck is what one token resolves to now: its actor, or the
// UNAUTHENTICATED error that refuses it.
type TokenCheck struct {
	Actor *shop.Actor
	Err   error
}

// CheckTokens resolves many bearer tokens with one statement, bypassing the
// token cache (and refreshing it): the open websockets and SSE streams
// re-check their tokens with it, so that a revocation made anywhere (the
// CLI, another instance) reaches them. A token it does not know is answered
// UNAUTHENTICATED; the error it returns is INTERNAL (the lookup failed).
func (d *DB) CheckTokens(ctx context.Context, tokens []string) (map[string]TokenCheck, error) {
	out := make(map[string]TokenCheck, len(tokens))
	if len(tokens) == 0 {
		return out, nil
	}
	byHash := make(map[string]string, len(tokens))
	hashes := make([][]byte, 0, len(tokens))
	for _, tok := range tokens {
		h := HashToken(strings.TrimSpace(tok))
		byHash[string(h)] = tok
		hashes = append(hashes, h)
		out[tok] = TokenCheck{Err: shop.ErrTokenUnknown()}
	}
	var rows []struct {
		userRow
		Hash      []byte
		ExpiresAt *time.Time
		RevokedAt *time.Time
	}
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT `+userColumns+`, t.hash, t.expires_at, t.revoked_at
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ANY($1)`, pq.Array(hashes)); err != nil {
		return nil, translate(err)
	}
	now := d.Now()
	for _, row := range rows {
		tok, ok := byHash[string(row.Hash)]
		if !ok {
			continue
		}
		a, err := shop.TokenActor(*row.user(), row.ExpiresAt, row.RevokedAt, now)
		if err == nil {
			d.tokens.put(string(row.Hash), a, row.ExpiresAt, d.TokenCacheTTL)
		}
		out[tok] = TokenCheck{Actor: a, Err: err}
	}
	for h, tok := range byHash {
		if out[tok].Actor == nil {
			d.tokens.drop(h) // deleted, revoked or expired: no stale answer from memory
		}
	}
	return out, nil
}

// RevokeToken revokes a token so it stops working at once.
// Errors: NOT_FOUND (no active token matches).
func (d *DB) RevokeToken(ctx context.Context, token string) error {
	d.tokens.drop(string(HashToken(token)))
	res, err := d.db.ExecContext(ctx, `UPDATE tokens SET revoked_at = $2 WHERE hash = $1 AND revoked_at IS NULL`, HashToken(token), d.Now())
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return shop.ErrNoActiveToken()
	}
	return nil
}

const bayColumns = `id, site_id, code, name, kind, active, version`

// CreateBay stores a workshop bay (a GENERAL one unless told). Errors: CONFLICT (code taken).
func (d *DB) CreateBay(ctx context.Context, b *shop.Bay) error {
	*b = shop.NewBay(*b)
	err := d.db.QueryRowContext(ctx, `INSERT INTO bays (site_id, code, name, kind) VALUES ($1, $2, $3, $4) RETURNING id`,
		b.SiteID, b.Code, b.Name, b.Kind).Scan(&b.ID)
	return translate(err)
}

// FindBays lists a site's bays.
func (d *DB) FindBays(ctx context.Context, site shop.SiteID) ([]*shop.Bay, error) {
	_, err := authorize(ctx, site, shop.ActRead)
	if err != nil {
		return nil, err
	}
	var out []*shop.Bay
	err = d.db.SelectContext(ctx, &out, `SELECT `+bayColumns+` FROM bays WHERE site_id = $1 ORDER BY code`, site)
	return out, translate(err)
}

// FindBaysByIDs returns bays by ID (for loaders), within the actor's sites.
func (d *DB) FindBaysByIDs(ctx context.Context, ids []shop.BayID) (map[shop.BayID]*shop.Bay, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Bay
	if err := d.selectPrepared(ctx, &rows, `SELECT `+bayColumns+` FROM bays WHERE id = ANY($1) AND site_id = ANY($2)`,
		pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := make(map[shop.BayID]*shop.Bay, len(rows))
	for _, b := range rows {
		out[b.ID] = b
	}
	return out, nil
}

// UpdateCallbackSettingsInput changes a site's callback rules.
type UpdateCallbackSettingsInput struct {
	SiteID            shop.SiteID
	FirstCallbackDays *int
	NotByAdvisor      *bool
	IdempotencyKey    *string
}

// UpdateCallbackSettings sets when the first callback is due after delivery
// (2 to 7 days) and whether the customer's own advisor may make it. Callbacks
// already scheduled keep their day. Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) UpdateCallbackSettings(ctx context.Context, in UpdateCallbackSettingsInput) (*shop.Site, error) {
	return mutate(d, ctx, "updateCallbackSettings", deref(in.IdempotencyKey), in, func(c *change) (*shop.Site, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActSiteSettings); err != nil {
			return nil, err
		}
		s, err := siteOf(c, in.SiteID, true)
		if err != nil {
			return nil, err
		}
		s2, ev, err := shop.UpdateCallbackSettings(*s, in.FirstCallbackDays, in.NotByAdvisor)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE sites SET first_callback_days = $2, callback_not_by_advisor = $3 WHERE id = $1`,
			s2.ID, s2.FirstCallbackDays, s2.CallbackNotByAdvisor); err != nil {
			return nil, err
		}
		return &s2, c.event(ev)
	})
}

// tokenCache holds resolved actors by token hash for a short time.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]tokenEntry
}

type tokenEntry struct {
	actor   *shop.Actor
	expires *time.Time // the token's own expiry
	until   time.Time  // when this entry goes stale
}

// maxCachedTokens bounds the cache; when full it starts over.
const maxCachedTokens = 10_000

func (c *tokenCache) get(hash string) (*shop.Actor, *time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || time.Now().After(e.until) {
		return nil, nil, false
	}
	return e.actor, e.expires, true
}

func (c *tokenCache) put(hash string, a *shop.Actor, expires *time.Time, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = map[string]tokenEntry{}
	}
	c.m[hash] = tokenEntry{actor: a, expires: expires, until: time.Now().Add(ttl)}
}

func (c *tokenCache) drop(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, hash)
}
