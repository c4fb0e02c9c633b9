package shop

// Action names something a user may be allowed to do.
type Action string

// Actions checked by Authorize.
const (
	ActRead            Action = "READ"             // read the site's service data
	ActReadPersonal    Action = "READ_PERSONAL"    // read customers' names, phones, full plates, VINs
	ActBookAppointment Action = "BOOK_APPOINTMENT" // book or cancel appointments
	ActReceive         Action = "RECEIVE"          // receive a car, open a visit
	ActEstimate        Action = "ESTIMATE"         // write and sign the repair order
	ActHandOver        Action = "HAND_OVER"
	ActDispatch        Action = "DISPATCH"      // assign jobs to technicians and bays
	ActWorkJob         Action = "WORK_JOB"      // start, pause, resume, finish, progress
	ActRequestExtra    Action = "REQUEST_EXTRA" // report additional work found
	ActDecideExtra     Action = "DECIDE_EXTRA"  // record the customer's answer
	ActSelfCheck       Action = "SELF_CHECK"
	ActTeamLeadCheck   Action = "TEAM_LEAD_CHECK"
	ActFinalInspection Action = "FINAL_INSPECTION"
	ActWash            Action = "WASH"
	ActSettle          Action = "SETTLE"
	ActDeliver         Action = "DELIVER"
	ActManageParts     Action = "MANAGE_PARTS"  // catalogue, receive stock, issue and take back parts
	ActReserveParts    Action = "RESERVE_PARTS" // reserve parts for an appointment or a repair order
	ActWarranty        Action = "WARRANTY"      // warranty decisions, claims, retained parts
	ActCallback        Action = "CALLBACK"      // callbacks and reminders
	ActComplaint       Action = "COMPLAINT"     // take and handle complaints (first contact owns them)
	ActReport          Action = "REPORT"        // the daily, weekly and monthly numbers
	ActSiteSettings    Action = "SITE_SETTINGS" // the site's rules, e.g. when callbacks are due
	ActAudit           Action = "AUDIT"         // the audit trail: who did what to which record, when
	ActAdmin           Action = "ADMIN"
	// ActMasterData: sites, hours, bays, labour rates, teams, users and
	// tokens, the labour catalogue and packages, customer corrections and
	// merges. Service manager and administrator only (no role lists it).
	ActMasterData Action = "MASTER_DATA"
)

// permissions is the role × action matrix. The service manager and admin may
// do everything; a board may only read, without personal data.
var permissions = map[Role][]Action{
	RoleAdvisor: {ActRead, ActReadPersonal, ActBookAppointment, ActReceive, ActEstimate, ActHandOver,
		ActDecideExtra, ActWash, ActDeliver, ActReserveParts, ActComplaint, ActCallback},
	RoleForeman:       {ActRead, ActHandOver, ActDispatch, ActWorkJob, ActRequestExtra, ActTeamLeadCheck, ActWash, ActReserveParts},
	RoleTechnician:    {ActRead, ActWorkJob, ActRequestExtra, ActSelfCheck, ActWash},
	RoleQCInspector:   {ActRead, ActFinalInspection, ActRequestExtra},
	RolePartsClerk:    {ActRead, ActManageParts, ActReserveParts},
	RoleWarrantyClerk: {ActRead, ActReadPersonal, ActWarranty},
	RoleCashier:       {ActRead, ActReadPersonal, ActSettle, ActDeliver},
	RoleCallbackStaff: {ActRead, ActReadPersonal, ActCallback, ActComplaint},
	RoleBoard:         {ActRead},
}

// Allowed reports whether role may perform act.
func Allowed(role Role, act Action) bool {
	if role == RoleServiceManager || role == RoleAdmin {
		return act != ActAdmin || role == RoleAdmin
	}
	for _, a := range permissions[role] {
		if a == act {
			return true
		}
	}
	return false
}

// Authorize returns FORBIDDEN unless the actor may perform act on site.
// A team-lead check also needs the technician to lead a team.
func Authorize(a *Actor, site SiteID, act Action) error {
	if a == nil {
		return Errorf(EUNAUTHENTICATED, "Sign in first: send a bearer token in the Authorization header.")
	}
	if !a.CanSeeSite(site) {
		// Same answer as a missing record: IDs of other sites reveal nothing.
		return Errorf(ENOTFOUND, "No such record.")
	}
	ok := Allowed(a.Role, act)
	if act == ActTeamLeadCheck && a.Role == RoleTechnician && a.TeamLead {
		ok = true
	}
	if !ok {
		return Errorf(EFORBIDDEN, "Your role (%s) may not %s.", a.Role, act.describe())
	}
	return nil
}

func (a Action) describe() string {
	switch a {
	case ActRead:
		return "read this site's data"
	case ActReadPersonal:
		return "see customers' personal data"
	case ActBookAppointment:
		return "book appointments"
	case ActReceive:
		return "receive cars"
	case ActEstimate:
		return "write or sign repair orders"
	case ActHandOver:
		return "hand repair orders over to the workshop"
	case ActDispatch:
		return "dispatch jobs"
	case ActWorkJob:
		return "work on jobs"
	case ActRequestExtra:
		return "report additional work"
	case ActDecideExtra:
		return "record the customer's decision on additional work"
	case ActSelfCheck:
		return "record a self-check"
	case ActTeamLeadCheck:
		return "record a team-lead check"
	case ActFinalInspection:
		return "record the final inspection"
	case ActWash:
		return "record the wash"
	case ActSettle:
		return "settle repair orders"
	case ActDeliver:
		return "deliver cars"
	case ActManageParts:
		return "manage parts"
	case ActReserveParts:
		return "reserve parts"
	case ActWarranty:
		return "handle warranty decisions and claims"
	case ActCallback:
		return "record callbacks and reminders"
	case ActComplaint:
		return "handle complaints"
	case ActReport:
		return "see the service department's figures"
	case ActSiteSettings:
		return "change the site's settings"
	case ActAudit:
		return "read the audit trail"
	case ActAdmin:
		return "administer users"
	case ActMasterData:
		return "change master data (sites, staff, catalogue, customer records)"
	}
	return string(a)
}
