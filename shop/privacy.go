package shop

// Who reads free text, and how. Roles that see structured personal data
// masked (the board, the workshop, the parts counter: every role without
// ActReadPersonal) must not get it back through what staff typed: a pause
// note "等客户王小明电话确认 13800138000" carries the name and the phone the
// customer record hides from them. These rules decide what such a role
// reads; store/ and graph/ only call them.

// MayReadPersonal reports whether a may see customers' personal data
// (names, phones, full plates, VINs) and the free text staff typed about
// them, as written.
func MayReadPersonal(a *Actor) bool {
	return a != nil && Allowed(a.Role, ActReadPersonal)
}

// RedactFreeText returns staff-typed text (a job's description, a visit's
// complaint, findings, requested work, notes) as a may read it: as written
// for a role that sees personal data; otherwise scrubbed (Scrub) of phone,
// ID and card numbers, VINs, plates, e-mail addresses, a surname with its
// title and names, which should be the customer's own and their contacts'
// (the signer, who answered on additional work). Returns no error.
func RedactFreeText(a *Actor, text string, names ...string) string {
	if MayReadPersonal(a) {
		return text
	}
	return Scrub(text, names...)
}

// SummaryFor returns the summary of e that a may read: the recorded one for a
// role that sees personal data, otherwise MaskedSummary. Returns no error.
func (e *Event) SummaryFor(a *Actor) string {
	if MayReadPersonal(a) {
		return e.Summary
	}
	return e.MaskedSummary()
}

// MaskedSummary returns the summary of e without staff-typed text: for the
// kinds whose summary is composed only of numbers, states, dates, part
// numbers and bay codes (structuredSummary), the recorded summary; for every
// other kind a fixed sentence saying what happened. A summary is stored as
// one string, so the kind decides: a pause note, a cancel reason, a reason
// for moving the promised time, a job's description or failed-check notes
// never reach a masked role, whatever was typed. Returns no error.
func (e *Event) MaskedSummary() string {
	if structuredSummary[e.Kind] && e.Summary != "" {
		return e.Summary
	}
	if s, ok := maskedSentence[e.Kind]; ok {
		return s
	}
	return "The record changed." // a kind added without a sentence: still nothing typed
}

// structuredSummary lists the kinds whose summary shop composes from typed
// fields only (numbers, states, dates, part numbers, bay codes; see the
// *_cmd.go decisions): nothing in it was typed as free text about a
// customer. A kind whose summary takes a note, a reason, a description or
// a location is not here.
var structuredSummary = map[EventKind]bool{
	EventAppointmentBooked:  true, // "Appointment booked for <time>"
	EventOrderCreated:       true, // "Repair order <number> drafted"
	EventOrderSigned:        true,
	EventOrderHandedOver:    true, // priority
	EventJobDispatched:      true, // bay code
	EventJobStarted:         true,
	EventJobResumed:         true,
	EventJobProgress:        true, // percentage
	EventJobFinished:        true,
	EventOrderSubmittedQC:   true,
	EventQCPassed:           true,
	EventWashFinished:       true,
	EventOrderReady:         true, // time
	EventOrderLate:          true, // time
	EventPartsReserved:      true, // quantity × part number
	EventPartShortage:       true,
	EventPartsArrived:       true,
	EventPartsIssued:        true,
	EventPartsReturned:      true,
	EventCallbackDue:        true, // sequence and date
	EventCallbacksScheduled: true,
	EventServicePlanned:     true,
	EventReminderRecorded:   true,
	EventComplaintEscalated: true,
	EventComplaintChecked:   true,
	EventComplaintClosed:    true, // date of the satisfaction check
}

// maskedSentence says what happened, for each kind, without anything typed.
var maskedSentence = map[EventKind]string{
	EventAppointmentBooked:     "Appointment booked.",
	EventAppointmentCancelled:  "Appointment cancelled.",
	EventVehicleReceived:       "Vehicle received.",
	EventOrderCreated:          "Repair order drafted.",
	EventOrderEdited:           "Repair order changed.",
	EventOrderSigned:           "Signed by the customer.",
	EventOrderHandedOver:       "Handed over to the workshop.",
	EventOrderCancelled:        "Repair order cancelled.",
	EventJobDispatched:         "Job dispatched.",
	EventJobStarted:            "Work started.",
	EventJobPaused:             "Work paused.",
	EventJobResumed:            "Work resumed.",
	EventJobProgress:           "Progress reported.",
	EventJobFinished:           "Work finished.",
	EventJobCancelled:          "Job cancelled.",
	EventAdditionalRequested:   "Additional work found; waiting for the customer.",
	EventAdditionalApproved:    "The customer approved the additional work.",
	EventAdditionalDeclined:    "The customer declined the additional work.",
	EventSelfCheckRecorded:     "Self-check recorded.",
	EventTeamLeadCheckRecorded: "Team-lead check recorded.",
	EventOrderSubmittedQC:      "Every job checked: waiting for final inspection.",
	EventQCPassed:              "Final inspection passed.",
	EventQCFailed:              "Final inspection failed: jobs went back for rework.",
	EventWashFinished:          "Washed and parked in the completed area.",
	EventOrderReady:            "Ready for pick-up.",
	EventOrderSettled:          "Repair order settled.",
	EventOrderDelivered:        "Delivered to the customer.",
	EventOrderLate:             "Past the promised time and not ready.",
	EventPartsReserved:         "Parts reserved.",
	EventPartShortage:          "Part shortage.",
	EventPartsArrived:          "Parts arrived.",
	EventPartsReleased:         "Reservation of parts released.",
	EventPartsIssued:           "Parts issued.",
	EventPartsReturned:         "Unused parts returned.",
	EventStockReceived:         "Stock received.",
	EventWarrantyDecided:       "Job put under warranty.",
	EventClaimChanged:          "Warranty claim changed.",
	EventPartRetained:          "Warranty part retained.",
	EventRetainedPartDisposed:  "Retained warranty part moved or disposed of.",
	EventCallbacksScheduled:    "Callbacks scheduled.",
	EventCallbackDue:           "Callback due.",
	EventCallbackRecorded:      "Callback recorded.",
	EventComplaintOpened:       "Complaint opened.",
	EventComplaintEscalated:    "Complaint escalated to the supervisor.",
	EventComplaintClosed:       "Complaint closed.",
	EventComplaintChecked:      "Complaint checked.",
	EventServicePlanned:        "Service planned.",
	EventReminderRecorded:      "Reminder done.",
	// Master data (shop/admin.go): the summaries name people and numbers.
	EventSiteChanged:       "Site settings changed.",
	EventBayChanged:        "Bay changed.",
	EventLabourRateChanged: "Labour rate changed.",
	EventTeamChanged:       "Team changed.",
	EventUserChanged:       "Staff record changed.",
	EventTokenIssued:       "Token issued.",
	EventTokenRevoked:      "Token revoked.",
	EventCatalogueChanged:  "Labour catalogue changed.",
	EventCustomerEdited:    "Customer record corrected.",
	EventVehicleEdited:     "Vehicle record corrected.",
	EventCustomersMerged:   "Customer records merged.",
}

// MayReadFollowUps returns FORBIDDEN for a board: callbacks, complaints,
// reminders and invitations are about customers and nothing a wall screen
// shows, so a board reads none of them, listed or by ID, whatever it asks.
// Other roles pass here (the store still checks the site: ActRead).
// UNAUTHENTICATED without an actor.
func MayReadFollowUps(a *Actor) error {
	if a == nil {
		return Errorf(EUNAUTHENTICATED, "Sign in first: send a bearer token in the Authorization header.")
	}
	if a.Role == RoleBoard {
		return Errorf(EFORBIDDEN, "A board may not read callbacks, complaints or reminders: they are about customers.")
	}
	return nil
}
