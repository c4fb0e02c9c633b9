// Package shop is the domain of a dealership service department (4S 店售后服务部):
// its records, the repair-order and job state machines, the rules of who may
// do what when, the error codes and the kinds of events.
//
// It imports the standard library only: no database, no transport. Everything
// here is pure and table-tested; read this package to learn the business.
package shop

import (
	"context"
	"sync"
	"time"
)

// Role is what a user does in the service department; it decides what they may do.
type Role string

// The roles of DOMAIN.md, plus board displays and administrators.
const (
	RoleAdvisor        Role = "ADVISOR"
	RoleForeman        Role = "FOREMAN"
	RoleTechnician     Role = "TECHNICIAN"
	RoleQCInspector    Role = "QC_INSPECTOR"
	RolePartsClerk     Role = "PARTS_CLERK"
	RoleWarrantyClerk  Role = "WARRANTY_CLERK"
	RoleCashier        Role = "CASHIER"
	RoleCallbackStaff  Role = "CALLBACK_STAFF"
	RoleServiceManager Role = "SERVICE_MANAGER"
	RoleAdmin          Role = "ADMIN"
	RoleBoard          Role = "BOARD"
)

// Roles lists every role, in display order.
var Roles = []Role{RoleAdvisor, RoleForeman, RoleTechnician, RoleQCInspector, RolePartsClerk,
	RoleWarrantyClerk, RoleCashier, RoleCallbackStaff, RoleServiceManager, RoleAdmin, RoleBoard}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Site is one store of a dealer group (本店 or 分销店). All data belongs to a site.
type Site struct {
	ID       SiteID
	Code     string
	Name     string
	TimeZone string
	Currency string
	// LabourRate is the default price of one hour of labour (工时单价).
	LabourRate Money
	// OpensAt and ClosesAt are the workshop's hours, minutes after local midnight.
	OpensAt  int
	ClosesAt int
	// FirstCallbackDays is how many days after delivery the first callback
	// (回访) is due, 2 to 7; CallbackNotByAdvisor keeps the customer's own
	// advisor from making it.
	FirstCallbackDays    int
	CallbackNotByAdvisor bool
	// Hours are the weekdays with their own hours, ClosedDays the closed
	// dates (see HoursOn); loaded with the site where hours matter.
	Hours      []DayHours  `db:"-"`
	ClosedDays []ClosedDay `db:"-"`
	Version    int
}

// CallbackSettings returns the site's callback rules.
func (s *Site) CallbackSettings() CallbackSettings {
	return CallbackSettings{FirstCallbackDays: s.FirstCallbackDays, NotByAdvisor: s.CallbackNotByAdvisor}
}

// Location returns the site's time zone, UTC when it is unknown.
func (s *Site) Location() *time.Location { return Zone(s.TimeZone) }

// zones keeps the time zones loaded so far: time.LoadLocation reads and
// parses the zone file on every call.
var zones sync.Map // name → *time.Location

// Zone returns the named time zone, UTC when it is unknown.
func Zone(name string) *time.Location {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC // not kept: a zone file installed later is found
	}
	zones.Store(name, loc)
	return loc
}

// User is a member of staff or a board display.
type User struct {
	ID        UserID
	Name      string
	ShortName string
	Role      Role
	// TeamLead marks a technician who leads a team and signs team-lead checks (班组长检验).
	TeamLead bool
	Team     string
	TeamID   *TeamID
	SiteIDs  []SiteID
	Active   bool
	Version  int
}

// Actor is who makes a request: the user behind the bearer token.
type Actor struct {
	UserID   UserID
	Name     string
	Role     Role
	TeamLead bool
	SiteIDs  []SiteID
}

// CanSeeSite reports whether the actor may see data of site id.
func (a *Actor) CanSeeSite(id SiteID) bool {
	if a == nil {
		return false
	}
	for _, s := range a.SiteIDs {
		if s == id {
			return true
		}
	}
	return false
}

type actorKey struct{}

// NewContextWithActor returns a context carrying the actor.
func NewContextWithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the request's actor, or nil for an anonymous request.
func ActorFromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// RequireActor returns the request's actor, or UNAUTHENTICATED.
func RequireActor(ctx context.Context) (*Actor, error) {
	if a := ActorFromContext(ctx); a != nil {
		return a, nil
	}
	return nil, Errorf(EUNAUTHENTICATED, "Sign in first: send a bearer token in the Authorization header.")
}

// Bay is a workshop bay (工位) where a car is worked on.
type Bay struct {
	ID     BayID
	SiteID SiteID
	Code   string
	Name   string
	Kind   string
	// Active is false for a retired bay; Version counts its edits.
	Active  bool
	Version int
}
