package shop

import "time"

// The set-up decisions: sites, users, their bearer tokens and bays. The
// store saves what they return.

// NewSite fills in a new site's defaults (Shanghai time, CNY, 08:00 to 18:00,
// first callback DefaultFirstCallbackDays after delivery) and checks it.
// Errors: INVALID naming the field.
func NewSite(s Site) (Site, error) {
	if s.TimeZone == "" {
		s.TimeZone = "Asia/Shanghai"
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return s, FieldErrorf("timeZone", "%q is not a time zone.", s.TimeZone)
	}
	if s.Currency == "" {
		s.Currency = Currency
	}
	if s.OpensAt == 0 && s.ClosesAt == 0 {
		s.OpensAt, s.ClosesAt = 8*60, 18*60
	}
	if s.FirstCallbackDays == 0 {
		s.FirstCallbackDays = DefaultFirstCallbackDays
	}
	if err := ValidFirstCallbackDays(s.FirstCallbackDays); err != nil {
		return s, err
	}
	return s, nil
}

// NewUser checks a new user and fills in the defaults: active, short name
// (on the board) the name. Errors: INVALID (role).
func NewUser(u User) (User, error) {
	if !u.Role.Valid() {
		return u, FieldErrorf("role", "%q is not a role.", u.Role)
	}
	if u.ShortName == "" {
		u.ShortName = u.Name
	}
	u.Active = true
	return u, nil
}

// NewBay fills in a new bay's defaults: a GENERAL bay unless told otherwise.
func NewBay(b Bay) Bay {
	if b.Kind == "" {
		b.Kind = "GENERAL"
	}
	return b
}

// MinTokenLength is the shortest bearer token accepted.
const MinTokenLength = 16

// ValidToken checks a bearer token to store. Errors: INVALID.
func ValidToken(token string) error {
	if len(token) < MinTokenLength {
		return FieldErrorf("token", "A token has at least %d characters.", MinTokenLength)
	}
	return nil
}

// TokenExpiry returns when a token issued at now with ttl expires; nil
// (never) for ttl 0 or less.
func TokenExpiry(now time.Time, ttl time.Duration) *time.Time {
	if ttl <= 0 {
		return nil
	}
	t := now.Add(ttl)
	return &t
}

// TokenActor decides whether a known token of user u still admits at now:
// not revoked, not expired, its user active. Errors: UNAUTHENTICATED.
func TokenActor(u User, expires, revoked *time.Time, now time.Time) (*Actor, error) {
	switch {
	case revoked != nil:
		return nil, Errorf(EUNAUTHENTICATED, "The token was revoked.")
	case TokenExpired(expires, now):
		return nil, ErrTokenExpired()
	case !u.Active:
		return nil, Errorf(EUNAUTHENTICATED, "The user of this token is deactivated.")
	}
	return &Actor{UserID: u.ID, Name: u.Name, Role: u.Role, TeamLead: u.TeamLead, SiteIDs: u.SiteIDs}, nil
}

// TokenExpired reports whether a token expiring at expires (nil: never) has expired at now.
func TokenExpired(expires *time.Time, now time.Time) bool {
	return expires != nil && !now.Before(*expires)
}

// ErrTokenExpired is the UNAUTHENTICATED answer to an expired token.
func ErrTokenExpired() error { return Errorf(EUNAUTHENTICATED, "The token has expired.") }

// ErrTokenUnknown is the UNAUTHENTICATED answer to a token that was never issued.
func ErrTokenUnknown() error { return Errorf(EUNAUTHENTICATED, "The token is not valid.") }

// ErrNoActiveToken is the NOT_FOUND answer to revoking a token that is not
// (or no longer) active.
func ErrNoActiveToken() error { return Errorf(ENOTFOUND, "No active token matches.") }
