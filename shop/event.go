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
}

// AdvisorFeedFilter selects the events of an advisor's own orders that need them.
func AdvisorFeedFilter(advisor UserID) func(*Event) bool {
	return func(e *Event) bool {
		return e.AdvisorID != nil && *e.AdvisorID == advisor && AdvisorFeedKinds[e.Kind]
	}
}
