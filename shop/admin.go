package shop

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Master data (issue 15): sites, bays, labour rates, teams (班组), users and
// their tokens, set up and changed through the API by an administrator or a
// service manager. Every decision returns the event that records the change
// with its before and after, for the audit trail.

// IDs of the master records that have no ID type elsewhere.
type (
	TeamID       int64
	LabourRateID int64
	TokenID      int64
	OperationID  int64
	PackageID    int64
)

// Type names of those IDs in global IDs.
const (
	TypeTeam       = "Team"
	TypeLabourRate = "LabourRate"
	TypeToken      = "Token"
	TypeOperation  = "LabourOperation"
	TypePackage    = "ServicePackage"
)

func (id TeamID) MarshalGQL(w io.Writer)       { marshalID(w, TypeTeam, int64(id)) }
func (id LabourRateID) MarshalGQL(w io.Writer) { marshalID(w, TypeLabourRate, int64(id)) }
func (id TokenID) MarshalGQL(w io.Writer)      { marshalID(w, TypeToken, int64(id)) }
func (id OperationID) MarshalGQL(w io.Writer)  { marshalID(w, TypeOperation, int64(id)) }
func (id PackageID) MarshalGQL(w io.Writer)    { marshalID(w, TypePackage, int64(id)) }

func (id *TeamID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeTeam)
	*id = TeamID(n)
	return err
}
func (id *LabourRateID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeLabourRate)
	*id = LabourRateID(n)
	return err
}
func (id *TokenID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeToken)
	*id = TokenID(n)
	return err
}
func (id *OperationID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeOperation)
	*id = OperationID(n)
	return err
}
func (id *PackageID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypePackage)
	*id = PackageID(n)
	return err
}

// Event kinds of master data changes; their summaries carry before → after.
const (
	EventSiteChanged       EventKind = "SITE_CHANGED"
	EventBayChanged        EventKind = "BAY_CHANGED"
	EventLabourRateChanged EventKind = "LABOUR_RATE_CHANGED"
	EventTeamChanged       EventKind = "TEAM_CHANGED"
	EventUserChanged       EventKind = "USER_CHANGED"
	EventTokenIssued       EventKind = "TOKEN_ISSUED"
	EventTokenRevoked      EventKind = "TOKEN_REVOKED"
	EventCatalogueChanged  EventKind = "CATALOGUE_CHANGED"
	EventCustomerEdited    EventKind = "CUSTOMER_EDITED"
	EventVehicleEdited     EventKind = "VEHICLE_EDITED"
	EventCustomersMerged   EventKind = "CUSTOMERS_MERGED"
)

func siteEvent(site SiteID, kind EventKind, summary string) Event {
	return Event{SiteID: site, Kind: kind, Summary: summary}
}

// changeLog collects "field before → after" for an event's summary.
type changeLog []string

func (l *changeLog) add(field string, before, after any) {
	b, a := fmt.Sprint(before), fmt.Sprint(after)
	if b != a {
		*l = append(*l, fmt.Sprintf("%s %q → %q", field, b, a))
	}
}

func (l changeLog) String() string {
	if len(l) == 0 {
		return "nothing changed"
	}
	return strings.Join(l, "; ")
}

// codeRe: short codes of sites, bays, rates, operations and packages.
var codeRe = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_.-]{0,29}$`)

// CheckCode upper-cases and checks a short code (letters, digits, - _ .,
// at most 30). Errors: INVALID naming field.
func CheckCode(field, s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if !codeRe.MatchString(c) {
		return "", FieldErrorf(field, "%q is not a code: use 1 to 30 letters, digits, '-', '_' or '.', starting with a letter or digit.", truncate(s, 40))
	}
	return c, nil
}

// SiteInput is a new site as an administrator sets it up.
type SiteInput struct {
	Code       string
	Name       string
	TimeZone   string
	LabourRate Money
	OpensAt    *int
	ClosesAt   *int
}

// CreateSiteBy decides a new site: only an administrator sets up sites (a
// service manager manages the sites they have). Defaults as NewSite.
// Errors: FORBIDDEN, INVALID naming the field.
func CreateSiteBy(by *Actor, in SiteInput) (Site, Event, error) {
	if by == nil || by.Role != RoleAdmin {
		return Site{}, Event{}, Errorf(EFORBIDDEN, "Only an administrator may set up a new site.")
	}
	code, err := CheckCode("code", in.Code)
	if err != nil {
		return Site{}, Event{}, err
	}
	name, err := CheckText("name", in.Name, true, MaxShortText)
	if err != nil {
		return Site{}, Event{}, err
	}
	if err := ValidPrice("labourRate", in.LabourRate); err != nil {
		return Site{}, Event{}, err
	}
	s := Site{Code: code, Name: name, TimeZone: strings.TrimSpace(in.TimeZone), LabourRate: in.LabourRate}
	if in.OpensAt != nil || in.ClosesAt != nil {
		s.OpensAt, s.ClosesAt = deref(in.OpensAt), deref(in.ClosesAt)
		if err := CheckHours("", s.OpensAt, s.ClosesAt); err != nil {
			return Site{}, Event{}, err
		}
	}
	s, err = NewSite(s)
	if err != nil {
		return Site{}, Event{}, err
	}
	s.Version = 1
	return s, siteEvent(0, EventSiteChanged, fmt.Sprintf("Site %s (%s) set up, %s, %s-%s, labour %s/h",
		s.Code, s.Name, s.TimeZone, clock(s.OpensAt), clock(s.ClosesAt), s.LabourRate)), nil
}

// SiteChanges are the edits of a site; nil fields stay.
type SiteChanges struct {
	Name       *string
	TimeZone   *string
	LabourRate *Money
	OpensAt    *int
	ClosesAt   *int
}

// EditSite decides changes to a site's name, time zone, default labour rate
// and default hours. Errors: INVALID naming the field.
func EditSite(s Site, ch SiteChanges) (Site, Event, error) {
	next := s
	var log changeLog
	if ch.Name != nil {
		n, err := CheckText("name", *ch.Name, true, MaxShortText)
		if err != nil {
			return s, Event{}, err
		}
		next.Name = n
	}
	if ch.TimeZone != nil {
		tz := strings.TrimSpace(*ch.TimeZone)
		if _, err := time.LoadLocation(tz); err != nil || tz == "" {
			return s, Event{}, FieldErrorf("timeZone", "%q is not a time zone.", truncate(*ch.TimeZone, 40))
		}
		next.TimeZone = tz
	}
	if ch.LabourRate != nil {
		if err := ValidPrice("labourRate", *ch.LabourRate); err != nil {
			return s, Event{}, err
		}
		next.LabourRate = *ch.LabourRate
	}
	if ch.OpensAt != nil {
		next.OpensAt = *ch.OpensAt
	}
	if ch.ClosesAt != nil {
		next.ClosesAt = *ch.ClosesAt
	}
	if err := CheckHours("", next.OpensAt, next.ClosesAt); err != nil {
		return s, Event{}, err
	}
	log.add("name", s.Name, next.Name)
	log.add("timeZone", s.TimeZone, next.TimeZone)
	log.add("labourRate", s.LabourRate, next.LabourRate)
	log.add("hours", clock(s.OpensAt)+"-"+clock(s.ClosesAt), clock(next.OpensAt)+"-"+clock(next.ClosesAt))
	next.Version++
	return next, siteEvent(s.ID, EventSiteChanged, "Site "+s.Code+": "+log.String()), nil
}

// bayKindRe: bay kinds are upper-case words (GENERAL, LIFT, ALIGNMENT, BODY, PAINT, WASH …).
var bayKindRe = regexp.MustCompile(`^[A-Z][A-Z_]{1,19}$`)

// BayInput is a new workshop bay (工位).
type BayInput struct {
	Code string
	Name string
	Kind string
}

// CreateBayAt decides a new bay of site: a code, an optional name, a kind
// (GENERAL unless told). Errors: INVALID naming the field.
func CreateBayAt(site SiteID, in BayInput) (Bay, Event, error) {
	code, err := CheckCode("code", in.Code)
	if err != nil {
		return Bay{}, Event{}, err
	}
	name, err := CheckText("name", in.Name, false, MaxShortText)
	if err != nil {
		return Bay{}, Event{}, err
	}
	kind, err := checkBayKind(in.Kind)
	if err != nil {
		return Bay{}, Event{}, err
	}
	b := NewBay(Bay{SiteID: site, Code: code, Name: name, Kind: kind})
	b.Active, b.Version = true, 1
	return b, siteEvent(site, EventBayChanged, fmt.Sprintf("Bay %s (%s) added", b.Code, b.Kind)), nil
}

func checkBayKind(k string) (string, error) {
	k = strings.ToUpper(strings.TrimSpace(k))
	if k == "" {
		return "GENERAL", nil
	}
	if !bayKindRe.MatchString(k) {
		return "", FieldErrorf("kind", "%q is not a bay kind: one upper-case word such as GENERAL, LIFT or ALIGNMENT.", truncate(k, 30))
	}
	return k, nil
}

// BayChanges are the edits of a bay; a retired bay (Active false) takes no
// new dispatches but keeps its history.
type BayChanges struct {
	Name   *string
	Kind   *string
	Active *bool
}

// EditBay decides changes to a bay. Errors: INVALID naming the field.
func EditBay(b Bay, ch BayChanges) (Bay, Event, error) {
	next := b
	var log changeLog
	if ch.Name != nil {
		n, err := CheckText("name", *ch.Name, false, MaxShortText)
		if err != nil {
			return b, Event{}, err
		}
		next.Name = n
	}
	if ch.Kind != nil {
		k, err := checkBayKind(*ch.Kind)
		if err != nil {
			return b, Event{}, err
		}
		next.Kind = k
	}
	if ch.Active != nil {
		next.Active = *ch.Active
	}
	log.add("name", b.Name, next.Name)
	log.add("kind", b.Kind, next.Kind)
	log.add("active", b.Active, next.Active)
	next.Version++
	return next, siteEvent(b.SiteID, EventBayChanged, "Bay "+b.Code+": "+log.String()), nil
}

// LabourRate is an hourly labour rate for a kind of work (e.g. MECH, BODY,
// PAINT, EV); the site's LabourRate is the default.
type LabourRate struct {
	ID      LabourRateID
	SiteID  SiteID
	Code    string
	Name    string
	Rate    Money
	Version int
}

// NewLabourRate decides a new labour rate of site. Errors: INVALID naming the field.
func NewLabourRate(site SiteID, code, name string, rate Money) (LabourRate, Event, error) {
	c, err := CheckCode("code", code)
	if err != nil {
		return LabourRate{}, Event{}, err
	}
	n, err := CheckText("name", name, true, MaxShortText)
	if err != nil {
		return LabourRate{}, Event{}, err
	}
	if err := ValidPrice("rate", rate); err != nil {
		return LabourRate{}, Event{}, err
	}
	r := LabourRate{SiteID: site, Code: c, Name: n, Rate: rate, Version: 1}
	return r, siteEvent(site, EventLabourRateChanged, fmt.Sprintf("Labour rate %s (%s) set at %s/h", c, n, rate)), nil
}

// EditLabourRate decides changes to a labour rate. Estimates already
// written keep their prices. Errors: INVALID naming the field.
func EditLabourRate(r LabourRate, name *string, rate *Money) (LabourRate, Event, error) {
	next := r
	if name != nil {
		n, err := CheckText("name", *name, true, MaxShortText)
		if err != nil {
			return r, Event{}, err
		}
		next.Name = n
	}
	if rate != nil {
		if err := ValidPrice("rate", *rate); err != nil {
			return r, Event{}, err
		}
		next.Rate = *rate
	}
	var log changeLog
	log.add("name", r.Name, next.Name)
	log.add("rate", r.Rate, next.Rate)
	next.Version++
	return next, siteEvent(r.SiteID, EventLabourRateChanged, "Labour rate "+r.Code+": "+log.String()), nil
}

// Team is a workshop team (班组) with its lead (班组长), who signs the
// team-lead checks.
type Team struct {
	ID      TeamID
	SiteID  SiteID
	Name    string
	LeadID  *UserID
	Version int
}

// checkLead says whether u may lead a team of site: an active technician of that site.
func checkLead(site SiteID, u *User) error {
	if u == nil {
		return nil
	}
	if !slices.Contains(u.SiteIDs, site) {
		return NotFoundf("leadId", "No user with that ID works at this site.")
	}
	if !u.Active || u.Role != RoleTechnician {
		return FieldErrorf("leadId", "A team lead is an active technician; %s is a %s%s.", u.Name, u.Role, map[bool]string{true: "", false: " (deactivated)"}[u.Active])
	}
	return nil
}

// NewTeam decides a new team of site, led by lead when given (nil: no lead
// yet). Errors: INVALID naming name or leadId, NOT_FOUND (leadId).
func NewTeam(site SiteID, name string, lead *User) (Team, Event, error) {
	n, err := CheckText("name", name, true, 60)
	if err != nil {
		return Team{}, Event{}, err
	}
	if err := checkLead(site, lead); err != nil {
		return Team{}, Event{}, err
	}
	t := Team{SiteID: site, Name: n, Version: 1}
	leadName := "no lead"
	if lead != nil {
		t.LeadID, leadName = &lead.ID, "led by "+lead.Name
	}
	return t, siteEvent(site, EventTeamChanged, fmt.Sprintf("Team %s set up, %s", n, leadName)), nil
}

// EditTeam decides a team's new name and lead (clearLead removes the lead;
// lead is the new lead's record). Errors: INVALID, NOT_FOUND (leadId).
func EditTeam(t Team, name *string, lead *User, clearLead bool, leadNames map[UserID]string) (Team, Event, error) {
	next := t
	if name != nil {
		n, err := CheckText("name", *name, true, 60)
		if err != nil {
			return t, Event{}, err
		}
		next.Name = n
	}
	if lead != nil && clearLead {
		return t, Event{}, FieldErrorf("leadId", "Give a new lead or clear the lead, not both.")
	}
	if err := checkLead(t.SiteID, lead); err != nil {
		return t, Event{}, err
	}
	if lead != nil {
		next.LeadID = &lead.ID
	} else if clearLead {
		next.LeadID = nil
	}
	var log changeLog
	log.add("name", t.Name, next.Name)
	name0, name1 := "none", "none"
	if t.LeadID != nil {
		name0 = leadNames[*t.LeadID]
	}
	if next.LeadID != nil {
		name1 = leadNames[*next.LeadID]
		if lead != nil {
			name1 = lead.Name
		}
	}
	log.add("lead", name0, name1)
	next.Version++
	return next, siteEvent(t.SiteID, EventTeamChanged, "Team "+t.Name+": "+log.String()), nil
}

// UserInput is a new user as an administrator or service manager sets them up.
type UserInput struct {
	Name      string
	ShortName string
	Role      Role
	SiteIDs   []SiteID
	Team      *Team // the team the user joins, if any
}

// mayManage says whether by may manage a user of role at sites: every one of
// the sites must be by's to manage, and only an administrator manages
// administrators (a service manager cannot make one, or make themselves one).
// Errors: FORBIDDEN, NOT_FOUND (a site by does not have).
func mayManage(by *Actor, role Role, sites []SiteID) error {
	if by == nil {
		return Errorf(EUNAUTHENTICATED, "Sign in first: send a bearer token in the Authorization header.")
	}
	if role == RoleAdmin && by.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "Only an administrator may manage administrators.")
	}
	for _, s := range sites {
		if err := Authorize(by, s, ActMasterData); err != nil {
			return err
		}
	}
	if len(sites) == 0 && by.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "Only an administrator may manage a user without a site.")
	}
	return nil
}

// NewUserBy decides a new user set up by by: a name, a role, at least one
// site (an administrator may be of none until they set one up), a team of
// one of those sites. Errors: INVALID naming the field, FORBIDDEN,
// NOT_FOUND (a site by does not manage).
func NewUserBy(by *Actor, in UserInput) (User, Event, error) {
	name, err := CheckText("name", in.Name, true, 100)
	if err != nil {
		return User{}, Event{}, err
	}
	short, err := CheckText("shortName", in.ShortName, false, 20)
	if err != nil {
		return User{}, Event{}, err
	}
	if !in.Role.Valid() {
		return User{}, Event{}, FieldErrorf("role", "%q is not a role.", in.Role)
	}
	sites := slices.Compact(slices.Sorted(slices.Values(in.SiteIDs)))
	if len(sites) == 0 && in.Role != RoleAdmin {
		return User{}, Event{}, FieldErrorf("siteIds", "Name at least one site the user works at.")
	}
	if err := mayManage(by, in.Role, sites); err != nil {
		return User{}, Event{}, err
	}
	u, err := NewUser(User{Name: name, ShortName: short, Role: in.Role, SiteIDs: sites})
	if err != nil {
		return User{}, Event{}, err
	}
	if err := joinTeam(&u, in.Team); err != nil {
		return User{}, Event{}, err
	}
	u.Version = 1
	return u, Event{Kind: EventUserChanged, Summary: fmt.Sprintf("User %s (%s) set up%s", u.Name, u.Role, teamNote(u))}, nil
}

func teamNote(u User) string {
	if u.Team == "" {
		return ""
	}
	return ", team " + u.Team
}

// joinTeam puts u in team t (nil: no team); t must be of one of u's sites.
func joinTeam(u *User, t *Team) error {
	if t == nil {
		u.TeamID, u.Team = nil, ""
		return nil
	}
	if !slices.Contains(u.SiteIDs, t.SiteID) {
		return FieldErrorf("teamId", "Team %s is of a site the user does not work at.", t.Name)
	}
	id := t.ID
	u.TeamID, u.Team = &id, t.Name
	return nil
}

// UserChanges are the edits of a user; nil fields stay. Team is a team to
// join; LeaveTeam leaves the current one.
type UserChanges struct {
	Name      *string
	ShortName *string
	Role      *Role
	Active    *bool
	SiteIDs   []SiteID // nil: unchanged
	Team      *Team
	LeaveTeam bool
}

// EditUser decides changes to user u by by (current: u's team, if any).
// Nobody deactivates or demotes
// themselves (an administrator could lock everyone out); a team lead stays
// a technician while leading (leadsTeam). Errors: INVALID naming the field,
// FORBIDDEN, NOT_FOUND.
func EditUser(by *Actor, u User, ch UserChanges, current *Team, leadsTeam bool) (User, Event, error) {
	if err := mayManage(by, u.Role, u.SiteIDs); err != nil {
		return u, Event{}, err
	}
	next := u
	next.SiteIDs = slices.Clone(u.SiteIDs)
	if ch.Name != nil {
		n, err := CheckText("name", *ch.Name, true, 100)
		if err != nil {
			return u, Event{}, err
		}
		next.Name = n
	}
	if ch.ShortName != nil {
		n, err := CheckText("shortName", *ch.ShortName, false, 20)
		if err != nil {
			return u, Event{}, err
		}
		if n == "" {
			n = next.Name
		}
		next.ShortName = n
	}
	if ch.Role != nil {
		if !ch.Role.Valid() {
			return u, Event{}, FieldErrorf("role", "%q is not a role.", *ch.Role)
		}
		next.Role = *ch.Role
	}
	if ch.Active != nil {
		next.Active = *ch.Active
	}
	if ch.SiteIDs != nil {
		next.SiteIDs = slices.Compact(slices.Sorted(slices.Values(ch.SiteIDs)))
		if len(next.SiteIDs) == 0 && next.Role != RoleAdmin {
			return u, Event{}, FieldErrorf("siteIds", "A user works at one site at least.")
		}
	}
	if by.UserID == u.ID && (!next.Active || next.Role != u.Role) {
		return u, Event{}, FieldErrorf("role", "You cannot deactivate yourself or change your own role; ask another administrator.")
	}
	if leadsTeam && next.Role != RoleTechnician {
		return u, Event{}, FieldErrorf("role", "%s leads a team; name another lead before changing the role.", u.Name)
	}
	if err := mayManage(by, next.Role, next.SiteIDs); err != nil {
		return u, Event{}, err
	}
	if ch.Team != nil && ch.LeaveTeam {
		return u, Event{}, FieldErrorf("leaveTeam", "Give a team to join or leave the team, not both.")
	}
	if ch.Team != nil || ch.LeaveTeam {
		if err := joinTeam(&next, ch.Team); err != nil {
			return u, Event{}, err
		}
	} else if current != nil && !slices.Contains(next.SiteIDs, current.SiteID) {
		next.TeamID, next.Team = nil, "" // no longer at the team's site
	}
	var log changeLog
	log.add("name", u.Name, next.Name)
	log.add("shortName", u.ShortName, next.ShortName)
	log.add("role", u.Role, next.Role)
	log.add("active", u.Active, next.Active)
	log.add("sites", u.SiteIDs, next.SiteIDs)
	log.add("team", u.Team, next.Team)
	next.Version++
	return next, Event{Kind: EventUserChanged, Summary: "User " + u.Name + ": " + log.String()}, nil
}

// MaxTokenTTL is the longest a token issued through the API may live.
const MaxTokenTTL = 366 * 24 * time.Hour

// IssueTokenFor decides whether by may issue a token for u, living ttl
// (0: MaxTokenTTL; tokens from the API always expire), labelled label.
// Errors: FORBIDDEN, NOT_FOUND, INVALID naming ttlHours, label or userId.
func IssueTokenFor(by *Actor, u User, ttl time.Duration, label string) (time.Duration, string, Event, error) {
	if by == nil || by.UserID != u.ID {
		if err := mayManage(by, u.Role, u.SiteIDs); err != nil {
			return 0, "", Event{}, err
		}
	}
	if !u.Active {
		return 0, "", Event{}, FieldErrorf("userId", "%s is deactivated; activate the user before issuing a token.", u.Name)
	}
	if ttl < 0 || ttl > MaxTokenTTL {
		return 0, "", Event{}, FieldErrorf("ttlHours", "A token lives from 1 hour to %d hours.", int(MaxTokenTTL/time.Hour))
	}
	if ttl == 0 {
		ttl = MaxTokenTTL
	}
	label, err := CheckText("label", label, false, 60)
	if err != nil {
		return 0, "", Event{}, err
	}
	if label == "" {
		label = "api"
	}
	return ttl, label, Event{Kind: EventTokenIssued, Summary: fmt.Sprintf("Token %q issued for %s, valid %s", label, u.Name, ttl)}, nil
}

// RevokeTokenOf decides whether by may revoke a token of u (anyone their
// own; otherwise as for managing u); revoked says whether it already was.
// Errors: FORBIDDEN, NOT_FOUND (tokenId: already revoked or another's site).
func RevokeTokenOf(by *Actor, u User, label string, revoked bool) (Event, error) {
	if by == nil || by.UserID != u.ID {
		if err := mayManage(by, u.Role, u.SiteIDs); err != nil {
			return Event{}, err
		}
	}
	if revoked {
		return Event{}, NotFoundf("tokenId", "No active token matches: it was already revoked.")
	}
	return Event{Kind: EventTokenRevoked, Summary: fmt.Sprintf("Token %q of %s revoked", label, u.Name)}, nil
}

// UserEvents returns ev once for each site of the user (the audit trail is
// per site); a user of no site is recorded at fallback's sites.
func UserEvents(ev Event, sites []SiteID, fallback []SiteID) []Event {
	if len(sites) == 0 {
		sites = fallback
	}
	out := make([]Event, 0, len(sites))
	for _, s := range sites {
		e := ev
		e.SiteID = s
		out = append(out, e)
	}
	return out
}
