package shop

import "slices"

// SessionStillAllowed decides whether an open session (a websocket or a
// server-sent events stream) opened by was may go on, now that its token
// resolves to now, or fails with lookup (the token was revoked, expired,
// deleted, or its user deactivated). A session keeps the rights it was
// opened with, so it must end when they shrink: a site lost, the role or
// the team-lead flag changed (what a role may see differs). Gaining a site
// does not end it. Errors: UNAUTHENTICATED (lookup's), FORBIDDEN.
func SessionStillAllowed(was, now *Actor, lookup error) error {
	switch {
	case lookup != nil:
		return lookup
	case was == nil || now == nil || was.UserID != now.UserID:
		return Errorf(EUNAUTHENTICATED, "The token no longer admits this user.")
	case was.Role != now.Role || was.TeamLead != now.TeamLead:
		return Errorf(EFORBIDDEN, "Your role has changed: connect again.")
	}
	for _, s := range was.SiteIDs {
		if !slices.Contains(now.SiteIDs, s) {
			return Errorf(EFORBIDDEN, "You no longer have access to site %d.", s)
		}
	}
	return nil
}
