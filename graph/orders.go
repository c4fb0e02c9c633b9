package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"bayboard/shop"
)

// Lists of repair orders with their jobs and part lines, written by
// directLists (render.go): the orders of a customer's history. The fields
// written are those with a value on the order, job or part line; the jobs
// and part lines come through the request's loaders, asked for the whole
// list at once (one batch, or none where the visits resolver primed them).
// Anything else selected (an order's bill, timeline or advisor, a job's
// technician or part lines, money) sends the list the generic way.

// renderOrders writes orders for the field being resolved.
func renderOrders(ctx context.Context, orders []*shop.Order) ([]byte, bool) {
	oc, fc := graphql.GetOperationContext(ctx), graphql.GetFieldContext(ctx)
	if oc == nil || fc == nil || fc.Field.Field == nil {
		return nil, false
	}
	env := &renderEnv{}
	var wantJobs, wantParts bool
	for _, f := range graphql.CollectFields(oc, fc.Field.Selections, repairOrderImplementors) {
		wantJobs = wantJobs || f.Name == "jobs"
		wantParts = wantParts || f.Name == "partLines"
	}
	if wantJobs || wantParts {
		ids := make([]shop.OrderID, len(orders))
		for i, o := range orders {
			if o == nil {
				return nil, false
			}
			ids[i] = o.ID
		}
		l := loaders(ctx)
		var jobs func() ([][]*shop.Job, []error)
		var parts func() ([][]*shop.PartLine, []error)
		if wantJobs {
			jobs = l.OrderJobs.LoadMany(ctx, ids)
		}
		if wantParts {
			parts = l.OrderParts.LoadMany(ctx, ids)
		}
		var ok bool
		if env.jobs, ok = byOrder(ids, jobs); !ok {
			return nil, false
		}
		if env.parts, ok = byOrder(ids, parts); !ok {
			return nil, false
		}
	}
	return renderList(ctx, orderType, orders, env)
}

// byOrder waits for a LoadMany of the orders ids (nil: not asked for); ok
// is false on any error.
func byOrder[V any](ids []shop.OrderID, thunk func() ([]V, []error)) (map[shop.OrderID]V, bool) {
	if thunk == nil {
		return nil, true
	}
	vs, errs := thunk()
	for _, err := range errs {
		if err != nil {
			return nil, false
		}
	}
	m := make(map[shop.OrderID]V, len(ids))
	for i, id := range ids {
		m[id] = vs[i]
	}
	return m, true
}

var orderType = &objectType[shop.Order]{
	name: "RepairOrder", implementors: repairOrderImplementors,
	fields: map[string]writeFunc[shop.Order]{
		"id":                  idField(shop.TypeOrder, func(o *shop.Order) shop.OrderID { return o.ID }),
		"number":              stringField(func(o *shop.Order) string { return o.Number }),
		"state":               enumField(func(o *shop.Order) shop.OrderState { return o.State }),
		"workType":            enumField(func(o *shop.Order) shop.WorkType { return o.WorkType }),
		"priority":            enumField(func(o *shop.Order) shop.Priority { return o.Priority }),
		"findings":            stringField(func(o *shop.Order) string { return o.Findings }),
		"underWarranty":       boolField(func(o *shop.Order) bool { return o.UnderWarranty }),
		"washRequested":       boolField(func(o *shop.Order) bool { return o.WashRequested }),
		"paymentMethod":       enumField(func(o *shop.Order) shop.PaymentMethod { return o.PaymentMethod }),
		"oldParts":            enumField(func(o *shop.Order) shop.OldPartsDisposition { return o.OldParts }),
		"insuranceClaim":      boolField(func(o *shop.Order) bool { return o.InsuranceClaim }),
		"insurerName":         stringField(func(o *shop.Order) string { return o.InsurerName }),
		"assessmentReference": stringField(func(o *shop.Order) string { return o.AssessmentReference }),
		"promisedAt":          optionalTimeField(func(o *shop.Order) *time.Time { return o.PromisedAt }),
		"estimatedAt":         optionalTimeField(func(o *shop.Order) *time.Time { return o.EstimatedAt }),
		"signedAt":            optionalTimeField(func(o *shop.Order) *time.Time { return o.SignedAt }),
		"signedBy":            stringField(func(o *shop.Order) string { return o.SignedBy }),
		"handedOverAt":        optionalTimeField(func(o *shop.Order) *time.Time { return o.HandedOverAt }),
		"qcPassedAt":          optionalTimeField(func(o *shop.Order) *time.Time { return o.QCPassedAt }),
		"readyAt":             optionalTimeField(func(o *shop.Order) *time.Time { return o.ReadyAt }),
		"notifyBy":            optionalTimeField(func(o *shop.Order) *time.Time { return o.NotifyBy }),
		"settledAt":           optionalTimeField(func(o *shop.Order) *time.Time { return o.SettledAt }),
		"deliveredAt":         optionalTimeField(func(o *shop.Order) *time.Time { return o.DeliveredAt }),
		"cancelledAt":         optionalTimeField(func(o *shop.Order) *time.Time { return o.CancelledAt }),
		"cancelReason":        stringField(func(o *shop.Order) string { return o.CancelReason }),
		"reworkCount":         intField(func(o *shop.Order) int { return o.ReworkCount }),
		"stage":               optionalEnumField(func(o *shop.Order) *shop.Stage { return o.Stage }),
		"stageSince":          timeField(func(o *shop.Order) time.Time { return o.StageSince }),
		"version":             intField(func(o *shop.Order) int { return o.Version }),
		"createdAt":           timeField(func(o *shop.Order) time.Time { return o.CreatedAt }),
		"updatedAt":           timeField(func(o *shop.Order) time.Time { return o.UpdatedAt }),
	},
	lists: map[string]func(*graphql.OperationContext, ast.SelectionSet) (writeFunc[shop.Order], bool){
		"jobs":      listOf(jobType, func(o *shop.Order, env *renderEnv) []*shop.Job { return env.jobs[o.ID] }),
		"partLines": listOf(partLineType, func(o *shop.Order, env *renderEnv) []*shop.PartLine { return env.parts[o.ID] }),
	},
}

var jobType = &objectType[shop.Job]{
	name: "Job", implementors: jobImplementors,
	fields: map[string]writeFunc[shop.Job]{
		"id":            idField(shop.TypeJob, func(j *shop.Job) shop.JobID { return j.ID }),
		"description":   stringField(func(j *shop.Job) string { return j.Description }),
		"state":         enumField(func(j *shop.Job) shop.JobState { return j.State }),
		"labourMinutes": intField(func(j *shop.Job) int { return j.LabourMinutes }),
		"payer":         enumField(func(j *shop.Job) shop.Payer { return j.Payer }),
		"additional":    boolField(func(j *shop.Job) bool { return j.Additional }),
		"safety":        boolField(func(j *shop.Job) bool { return j.Safety }),
		"progress":      intField(func(j *shop.Job) int { return j.Progress }),
		"partsShort":    boolField(func(j *shop.Job) bool { return j.PartsShort }),
		"pauseReason":   optionalEnumField(func(j *shop.Job) *shop.PauseReason { return j.PauseReason }),
		"pauseNote":     stringField(func(j *shop.Job) string { return j.PauseNote }),
		"reworkCount":   intField(func(j *shop.Job) int { return j.ReworkCount }),
		"reworkReason":  stringField(func(j *shop.Job) string { return j.ReworkReason }),
		"dispatchedAt":  optionalTimeField(func(j *shop.Job) *time.Time { return j.DispatchedAt }),
		"startedAt":     optionalTimeField(func(j *shop.Job) *time.Time { return j.StartedAt }),
		"finishedAt":    optionalTimeField(func(j *shop.Job) *time.Time { return j.FinishedAt }),
		"workedMinutes": intField(func(j *shop.Job) int { return j.WorkedMinutes }),
		"version":       intField(func(j *shop.Job) int { return j.Version }),
	},
}

var partLineType = &objectType[shop.PartLine]{
	name: "PartLine", implementors: partLineImplementors,
	fields: map[string]writeFunc[shop.PartLine]{
		"id":          idField(shop.TypePartLine, func(p *shop.PartLine) shop.PartLineID { return p.ID }),
		"partNumber":  stringField(func(p *shop.PartLine) string { return p.PartNumber }),
		"description": stringField(func(p *shop.PartLine) string { return p.Description }),
		"quantity":    intField(func(p *shop.PartLine) int { return p.Quantity }),
		"payer":       enumField(func(p *shop.PartLine) shop.Payer { return p.Payer }),
		"additional":  boolField(func(p *shop.PartLine) bool { return p.Additional }),
	},
}
