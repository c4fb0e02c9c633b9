package shop

import (
	"time"
)

// OrderState is where a repair order (任务委托书) stands.
type OrderState string

// The repair order's states, in the order a car normally passes them.
const (
	OrderDraft     OrderState = "DRAFT"     // estimate being prepared; lines may change
	OrderSigned    OrderState = "SIGNED"    // customer signed; waiting for hand-over to the workshop
	OrderInWork    OrderState = "IN_WORK"   // handed over (派工): jobs dispatched and worked
	OrderQC        OrderState = "QC"        // every job checked; waiting for final inspection (总检)
	OrderWash      OrderState = "WASH"      // passed QC; being washed (洗车)
	OrderReady     OrderState = "READY"     // ready for pick-up (竣工); customer to be notified
	OrderSettled   OrderState = "SETTLED"   // paid (结算)
	OrderDelivered OrderState = "DELIVERED" // handed back to the customer (交车)
	OrderCancelled OrderState = "CANCELLED" // withdrawn before work began
)

// OrderStates lists every order state.
var OrderStates = []OrderState{OrderDraft, OrderSigned, OrderInWork, OrderQC, OrderWash,
	OrderReady, OrderSettled, OrderDelivered, OrderCancelled}

// OrderAction is something that moves a repair order.
type OrderAction string

// Actions on a repair order.
const (
	OrderEdit       OrderAction = "EDIT"        // change the estimate's lines or terms
	OrderSign       OrderAction = "SIGN"        // the customer signs (nothing is worked on before)
	OrderHandOver   OrderAction = "HAND_OVER"   // advisor hands car and order to the workshop
	OrderWork       OrderAction = "WORK"        // dispatch or work on jobs; request additional work
	OrderSubmitQC   OrderAction = "SUBMIT_QC"   // all jobs checked: to final inspection
	OrderPassQC     OrderAction = "PASS_QC"     // final inspection passed
	OrderFailQC     OrderAction = "FAIL_QC"     // final inspection failed: back to work (返工)
	OrderFinishWash OrderAction = "FINISH_WASH" // wash done, car parked in the completed area
	OrderSettle     OrderAction = "SETTLE"      // cashier settles
	OrderDeliver    OrderAction = "DELIVER"     // car handed back
	OrderCancel     OrderAction = "CANCEL"      // withdrawn before hand-over
)

// orderMachine is the repair order's state machine: the one place that says
// which action is allowed in which state and where it leads. PASS_QC leads to
// WASH or READY depending on whether the customer accepted a wash;
// FinalInspection makes that choice.
var orderMachine = map[OrderState]map[OrderAction]OrderState{
	OrderDraft:   {OrderEdit: OrderDraft, OrderSign: OrderSigned, OrderCancel: OrderCancelled},
	OrderSigned:  {OrderHandOver: OrderInWork, OrderCancel: OrderCancelled},
	OrderInWork:  {OrderWork: OrderInWork, OrderSubmitQC: OrderQC},
	OrderQC:      {OrderPassQC: OrderReady, OrderFailQC: OrderInWork},
	OrderWash:    {OrderFinishWash: OrderReady},
	OrderReady:   {OrderSettle: OrderSettled},
	OrderSettled: {OrderDeliver: OrderDelivered},
}

// NextOrderState returns the state that action leads to from state, or
// INVALID_TRANSITION naming both.
func NextOrderState(state OrderState, action OrderAction) (OrderState, error) {
	if next, ok := orderMachine[state][action]; ok {
		return next, nil
	}
	return state, Errorf(EINVALIDTRANSITION, "The repair order is %s; it cannot %s now.", state.Describe(), action.Describe())
}

// Describe returns a readable phrase for the state, used in error messages.
func (s OrderState) Describe() string {
	switch s {
	case OrderDraft:
		return "a draft estimate (DRAFT)"
	case OrderSigned:
		return "signed and not yet handed over (SIGNED)"
	case OrderInWork:
		return "in work (IN_WORK)"
	case OrderQC:
		return "waiting for final inspection (QC)"
	case OrderWash:
		return "being washed (WASH)"
	case OrderReady:
		return "ready for pick-up (READY)"
	case OrderSettled:
		return "settled (SETTLED)"
	case OrderDelivered:
		return "delivered (DELIVERED)"
	case OrderCancelled:
		return "cancelled (CANCELLED)"
	}
	return string(s)
}

// Describe returns a readable verb phrase for the action.
func (a OrderAction) Describe() string {
	switch a {
	case OrderEdit:
		return "change its estimate (EDIT)"
	case OrderSign:
		return "be signed (SIGN)"
	case OrderHandOver:
		return "be handed over to the workshop (HAND_OVER)"
	case OrderWork:
		return "have jobs dispatched, worked or added (WORK)"
	case OrderSubmitQC:
		return "go to final inspection (SUBMIT_QC)"
	case OrderPassQC:
		return "pass final inspection (PASS_QC)"
	case OrderFailQC:
		return "fail final inspection (FAIL_QC)"
	case OrderFinishWash:
		return "finish the wash (FINISH_WASH)"
	case OrderSettle:
		return "be settled (SETTLE)"
	case OrderDeliver:
		return "be delivered (DELIVER)"
	case OrderCancel:
		return "be cancelled (CANCEL)"
	}
	return string(a)
}

// Open reports whether the car of an order in this state is still with us
// and the order is not finished.
func (s OrderState) Open() bool {
	return s != OrderDelivered && s != OrderCancelled
}

// InWorkshop reports whether the car is in the workshop, i.e. on the board.
func (s OrderState) InWorkshop() bool {
	switch s {
	case OrderInWork, OrderQC, OrderWash, OrderReady, OrderSettled:
		return true
	}
	return false
}

// PaymentMethod is how the customer's share is paid.
type PaymentMethod string

// Payment methods.
const (
	PayCash         PaymentMethod = "CASH"
	PayCard         PaymentMethod = "CARD"
	PayWeChat       PaymentMethod = "WECHAT_PAY"
	PayAlipay       PaymentMethod = "ALIPAY"
	PayBankTransfer PaymentMethod = "BANK_TRANSFER"
	PayNone         PaymentMethod = "NONE" // nothing for the customer to pay
)

// OldPartsDisposition is what happens to replaced parts, agreed at signing.
type OldPartsDisposition string

// Old parts dispositions.
const (
	OldPartsReturnToCustomer OldPartsDisposition = "RETURN_TO_CUSTOMER"
	OldPartsShowToCustomer   OldPartsDisposition = "SHOW_TO_CUSTOMER"
	OldPartsDiscard          OldPartsDisposition = "DISCARD"
	OldPartsWarrantyRetain   OldPartsDisposition = "WARRANTY_RETAIN"
)

// Payer is who pays a line.
type Payer string

// Payers of a line.
const (
	PayerCustomer Payer = "CUSTOMER"
	PayerWarranty Payer = "WARRANTY"
	PayerInsurer  Payer = "INSURER"
	PayerInternal Payer = "INTERNAL" // goodwill or rework at the dealer's cost
)

// WorkType is the kind of work, used in the daily numbers.
type WorkType string

// Types of work.
const (
	WorkMaintenance WorkType = "MAINTENANCE"
	WorkRepair      WorkType = "REPAIR"
	WorkWarranty    WorkType = "WARRANTY"
	WorkAccident    WorkType = "ACCIDENT"
)

// Priority is the workshop priority set by the foreman at hand-over.
type Priority string

// Priorities.
const (
	PriorityNormal Priority = "NORMAL"
	PriorityHigh   Priority = "HIGH"
	PriorityUrgent Priority = "URGENT"
)

// Order is a repair order (任务委托书 / 进厂维修单): what the customer agreed to,
// and where the work stands.
type Order struct {
	ID       OrderID
	SiteID   SiteID
	VisitID  VisitID
	Number   string
	State    OrderState
	WorkType WorkType
	Priority Priority
	// Findings are the advisor's diagnosis (问诊).
	Findings            string
	UnderWarranty       bool
	WashRequested       bool
	PaymentMethod       PaymentMethod
	OldParts            OldPartsDisposition
	InsuranceClaim      bool
	InsurerName         string
	AssessmentReference string // insurer's assessment (定损单), needed before release
	AdvisorID           UserID
	PromisedAt          *time.Time
	EstimatedAt         *time.Time
	SignedAt            *time.Time
	SignedBy            string // the customer's name as signed
	HandedOverAt        *time.Time
	QCPassedAt          *time.Time
	ReadyAt             *time.Time
	NotifyBy            *time.Time
	SettledAt           *time.Time
	DeliveredAt         *time.Time
	CancelledAt         *time.Time
	CancelReason        string
	ReworkCount         int
	// Stage is the board lane, derived from the state and the jobs (StageOf); nil off the board.
	Stage      *Stage
	StageSince time.Time
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Late reports whether the car is still not ready past its promised time.
func (o *Order) Late(now time.Time) bool {
	if o.PromisedAt == nil || !o.State.InWorkshop() {
		return false
	}
	if o.ReadyAt != nil {
		return o.ReadyAt.After(*o.PromisedAt)
	}
	return now.After(*o.PromisedAt)
}

// MinutesLate returns how many whole minutes the order is late at now (0 if not).
func (o *Order) MinutesLate(now time.Time) int {
	if !o.Late(now) {
		return 0
	}
	end := now
	if o.ReadyAt != nil {
		end = *o.ReadyAt
	}
	return int(end.Sub(*o.PromisedAt) / time.Minute)
}

// NotifyLead returns how long before pick-up the customer must be told the car
// is ready: 1 hour when the job took under two days, 4 hours when it took two
// days or more (DOMAIN.md step 11).
func NotifyLead(handedOverAt, promisedAt time.Time) time.Duration {
	if promisedAt.Sub(handedOverAt) >= 48*time.Hour {
		return 4 * time.Hour
	}
	return time.Hour
}

// NotifyBy returns when the customer must be told at the latest: the promised
// time less the lead, but never before the car is ready.
func NotifyBy(handedOverAt, promisedAt, readyAt time.Time) time.Time {
	t := promisedAt.Add(-NotifyLead(handedOverAt, promisedAt))
	if t.Before(readyAt) {
		return readyAt
	}
	return t
}
