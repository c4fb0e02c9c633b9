package shop

import "time"

// EventKind names a change, as recorded in the event log and pushed live.
type EventKind string

// Event kinds. Every state change writes one, in the same transaction.
const (
	EventAppointmentBooked     EventKind = "APPOINTMENT_BOOKED"
	EventAppointmentCancelled  EventKind = "APPOINTMENT_CANCELLED"
	EventVehicleReceived       EventKind = "VEHICLE_RECEIVED"
	EventOrderCreated          EventKind = "ORDER_CREATED"
	EventOrderEdited           EventKind = "ORDER_EDITED"
	EventOrderSigned           EventKind = "ORDER_SIGNED"
	EventOrderHandedOver       EventKind = "ORDER_HANDED_OVER"
	EventOrderCancelled        EventKind = "ORDER_CANCELLED"
	EventJobDispatched         EventKind = "JOB_DISPATCHED"
	EventJobStarted            EventKind = "JOB_STARTED"
	EventJobPaused             EventKind = "JOB_PAUSED"
	EventJobResumed            EventKind = "JOB_RESUMED"
	EventJobProgress           EventKind = "JOB_PROGRESS"
	EventJobFinished           EventKind = "JOB_FINISHED"
	EventJobCancelled          EventKind = "JOB_CANCELLED"
	EventAdditionalRequested   EventKind = "ADDITIONAL_WORK_REQUESTED"
	EventAdditionalApproved    EventKind = "ADDITIONAL_WORK_APPROVED"
	EventAdditionalDeclined    EventKind = "ADDITIONAL_WORK_DECLINED"
	EventSelfCheckRecorded     EventKind = "SELF_CHECK_RECORDED"
	EventTeamLeadCheckRecorded EventKind = "TEAM_LEAD_CHECK_RECORDED"
	EventOrderSubmittedQC      EventKind = "ORDER_SUBMITTED_TO_QC"
	EventQCPassed              EventKind = "QC_PASSED"
	EventQCFailed              EventKind = "QC_FAILED"
	EventWashFinished          EventKind = "WASH_FINISHED"
	EventOrderReady            EventKind = "ORDER_READY"
	EventOrderSettled          EventKind = "ORDER_SETTLED"
	EventOrderDelivered        EventKind = "ORDER_DELIVERED"
	EventOrderLate             EventKind = "ORDER_LATE" // passed its promised time without being ready

	EventPartsReserved        EventKind = "PARTS_RESERVED"
	EventPartShortage         EventKind = "PART_SHORTAGE" // a reservation cannot be filled: its job waits for parts
	EventPartsArrived         EventKind = "PARTS_ARRIVED" // received stock filled waiting reservations
	EventPartsReleased        EventKind = "PARTS_RELEASED"
	EventPartsIssued          EventKind = "PARTS_ISSUED"
	EventPartsReturned        EventKind = "PARTS_RETURNED"
	EventStockReceived        EventKind = "STOCK_RECEIVED"
	EventWarrantyDecided      EventKind = "WARRANTY_DECIDED"
	EventClaimChanged         EventKind = "WARRANTY_CLAIM_CHANGED"
	EventPartRetained         EventKind = "WARRANTY_PART_RETAINED"
	EventRetainedPartDisposed EventKind = "WARRANTY_PART_DISPOSED"
	EventCallbacksScheduled   EventKind = "CALLBACKS_SCHEDULED"
	EventCallbackDue          EventKind = "CALLBACK_DUE" // a callback's day came
	EventCallbackRecorded     EventKind = "CALLBACK_RECORDED"
	EventComplaintOpened      EventKind = "COMPLAINT_OPENED"
	EventComplaintEscalated   EventKind = "COMPLAINT_ESCALATED" // unsolved after two days, or not satisfied
	EventComplaintClosed      EventKind = "COMPLAINT_CLOSED"
	EventComplaintChecked     EventKind = "COMPLAINT_CHECKED"
	EventServicePlanned       EventKind = "SERVICE_PLANNED"
	EventReminderRecorded     EventKind = "REMINDER_RECORDED"
)

// Event is one entry of the event log: the order's timeline, the audit trail
// and the feed of the boards. Pos is its place in the log, in commit-safe
// order: the cursor clients resume from (0 until the log has sequenced it).
type Event struct {
	ID        EventID
	Pos       int64
	SiteID    SiteID
	Kind      EventKind
	OrderID   *OrderID
	JobID     *JobID
	VisitID   *VisitID
	AdvisorID *UserID
	ActorID   *UserID
	Summary   string
	At        time.Time
}

// AdvisorFeedKinds are the events an advisor must act on.
var AdvisorFeedKinds = map[EventKind]bool{
	EventAdditionalRequested: true, EventAdditionalApproved: true, EventAdditionalDeclined: true,
	EventQCFailed: true, EventOrderReady: true, EventOrderLate: true, EventJobPaused: true,
	EventOrderHandedOver: true, EventOrderDelivered: true, EventVehicleReceived: true,
	EventPartShortage: true, EventPartsArrived: true, EventComplaintOpened: true, EventComplaintEscalated: true,
}

// MayFollowAdvisor returns FORBIDDEN unless a may follow advisor's feed: an
// advisor follows their own; a service manager or administrator anyone's.
func MayFollowAdvisor(a *Actor, advisor UserID) error {
	if a == nil {
		return Errorf(EUNAUTHENTICATED, "Sign in first: send a bearer token in the Authorization header.")
	}
	if advisor != a.UserID && a.Role != RoleServiceManager && a.Role != RoleAdmin {
		return Errorf(EFORBIDDEN, "Only a service manager may follow another advisor's feed.")
	}
	return nil
}

// AdvisorFeedFilter selects the events of an advisor's own orders that need them.
func AdvisorFeedFilter(advisor UserID) func(*Event) bool {
	return func(e *Event) bool {
		return e.AdvisorID != nil && *e.AdvisorID == advisor && AdvisorFeedKinds[e.Kind]
	}
}

// OrderEvent returns an event about order o (and job, when it is about one of
// its jobs), addressed to the order's advisor.
func OrderEvent(o *Order, kind EventKind, job *JobID, summary string) Event {
	return Event{SiteID: o.SiteID, Kind: kind, OrderID: &o.ID, JobID: job, VisitID: &o.VisitID,
		AdvisorID: &o.AdvisorID, Summary: summary}
}
