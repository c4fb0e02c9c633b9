package graph

import (
	"context"
	"time"

	"bayboard/graph/model"
	"bayboard/shop"
)

// A customer's history, written by directLists (render.go): any list of
// vehicles, a page of visits (Customer.visits) with their repair orders,
// and any list of repair orders, with their jobs and part lines. The
// fields written are those with a value on the vehicle, visit, order, job
// or part line; the orders, jobs and part lines come through the request's loaders, asked for all the visits
// or orders at once (one batch each, or none where the visits resolver
// primed them). Anything else selected (a visit's vehicle or damages, an
// order's bill, timeline or advisor, a job's technician or part lines,
// money) sends the field the generic way; below a page of visits that
// field is then each visit's repairOrders, which can still be written
// here.

// load reads, for all of env's visits and orders at once, what n says the
// selection reads below them; ok is false on any loader error (the generic
// way then reports it) or a nil order.
func (env *renderEnv) load(ctx context.Context, n needs) bool {
	if !n.orders && !n.jobs && !n.parts {
		return true
	}
	l := loaders(ctx)
	if n.orders && len(env.visits) > 0 {
		ids := make([]shop.VisitID, len(env.visits))
		for i, v := range env.visits {
			ids[i] = v.ID
		}
		var ok bool
		if env.visitOrder, ok = await(ids, l.VisitOrders.LoadMany(ctx, ids)); !ok {
			return false
		}
		env.orders = nil
		for _, id := range ids {
			env.orders = append(env.orders, env.visitOrder[id]...)
		}
	}
	if (!n.jobs && !n.parts) || len(env.orders) == 0 {
		return true
	}
	ids := make([]shop.OrderID, len(env.orders))
	for i, o := range env.orders {
		if o == nil {
			return false
		}
		ids[i] = o.ID
	}
	var jobs func() ([][]*shop.Job, []error)
	var parts func() ([][]*shop.PartLine, []error)
	if n.jobs {
		jobs = l.OrderJobs.LoadMany(ctx, ids)
	}
	if n.parts {
		parts = l.OrderParts.LoadMany(ctx, ids)
	}
	var ok bool
	if jobs != nil {
		if env.jobs, ok = await(ids, jobs); !ok {
			return false
		}
	}
	if parts != nil {
		if env.parts, ok = await(ids, parts); !ok {
			return false
		}
	}
	return true
}

// await waits for a LoadMany of ids; ok is false on any error.
func await[K comparable, V any](ids []K, thunk func() ([]V, []error)) (map[K]V, bool) {
	vs, errs := thunk()
	for _, err := range errs {
		if err != nil {
			return nil, false
		}
	}
	m := make(map[K]V, len(ids))
	for i, id := range ids {
		m[id] = vs[i]
	}
	return m, true
}

var vehicleType = &objectType[shop.Vehicle]{
	name: "Vehicle", implementors: vehicleImplementors,
	fields: map[string]writeFunc[shop.Vehicle]{
		"id":      idField(shop.TypeVehicle, func(v *shop.Vehicle) shop.VehicleID { return v.ID }),
		"plate":   stringField(func(v *shop.Vehicle) string { return v.Plate }),
		"vin":     stringField(func(v *shop.Vehicle) string { return v.VIN }),
		"make":    stringField(func(v *shop.Vehicle) string { return v.Make }),
		"model":   stringField(func(v *shop.Vehicle) string { return v.Model }),
		"year":    intField(func(v *shop.Vehicle) int { return v.Year }),
		"colour":  stringField(func(v *shop.Vehicle) string { return v.Colour }),
		"mileage": intField(func(v *shop.Vehicle) int { return v.Mileage }),
		"version": intField(func(v *shop.Vehicle) int { return v.Version }),
	},
}

var visitConnectionType = &objectType[model.VisitConnection]{
	name: "VisitConnection", implementors: visitConnectionImplementors,
	fields: map[string]writeFunc[model.VisitConnection]{
		"totalCount": intField(func(c *model.VisitConnection) int { return c.TotalCount }),
	},
	nested: map[string]nestedFunc[model.VisitConnection]{
		"edges":    listOf(visitEdgeType, nil, func(c *model.VisitConnection, _ *renderEnv) []*model.VisitEdge { return c.Edges }),
		"pageInfo": objectOf(pageInfoType, func(c *model.VisitConnection) *model.PageInfo { return c.PageInfo }),
	},
}

var visitEdgeType = &objectType[model.VisitEdge]{
	name: "VisitEdge", implementors: visitEdgeImplementors,
	fields: map[string]writeFunc[model.VisitEdge]{
		"cursor": stringField(func(e *model.VisitEdge) string { return e.Cursor }),
	},
	nested: map[string]nestedFunc[model.VisitEdge]{
		"node": objectOf(visitType, func(e *model.VisitEdge) *shop.Visit { return e.Node }),
	},
}

var pageInfoType = &objectType[model.PageInfo]{
	name: "PageInfo", implementors: pageInfoImplementors,
	fields: map[string]writeFunc[model.PageInfo]{
		"hasNextPage":     boolField(func(p *model.PageInfo) bool { return p.HasNextPage }),
		"hasPreviousPage": boolField(func(p *model.PageInfo) bool { return p.HasPreviousPage }),
		"startCursor":     optionalStringField(func(p *model.PageInfo) *string { return p.StartCursor }),
		"endCursor":       optionalStringField(func(p *model.PageInfo) *string { return p.EndCursor }),
	},
}

var visitType = &objectType[shop.Visit]{
	name: "Visit", implementors: visitImplementors,
	fields: map[string]writeFunc[shop.Visit]{
		"id":               idField(shop.TypeVisit, func(v *shop.Visit) shop.VisitID { return v.ID }),
		"receivedAt":       timeField(func(v *shop.Visit) time.Time { return v.ReceivedAt }),
		"mileage":          intField(func(v *shop.Visit) int { return v.Mileage }),
		"fuelLevel":        intField(func(v *shop.Visit) int { return v.FuelLevel }),
		"belongings":       stringListField(func(v *shop.Visit) []string { return v.Belongings }),
		"keyTag":           stringField(func(v *shop.Visit) string { return v.KeyTag }),
		"complaint":        stringField(func(v *shop.Visit) string { return v.Complaint }),
		"walkaroundSigned": boolField(func(v *shop.Visit) bool { return v.WalkaroundSigned }),
		"deliveredAt":      optionalTimeField(func(v *shop.Visit) *time.Time { return v.DeliveredAt }),
		"exitPass":         stringField(func(v *shop.Visit) string { return v.ExitPass }),
		"nextServiceKm":    optionalIntField(func(v *shop.Visit) *int { return v.NextServiceKm }),
		"version":          intField(func(v *shop.Visit) int { return v.Version }),
	},
	nested: map[string]nestedFunc[shop.Visit]{
		"repairOrders": listOf(orderType, func(n *needs) { n.orders = true },
			func(v *shop.Visit, env *renderEnv) []*shop.Order { return env.visitOrder[v.ID] }),
	},
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
	nested: map[string]nestedFunc[shop.Order]{
		"jobs": listOf(jobType, func(n *needs) { n.jobs = true },
			func(o *shop.Order, env *renderEnv) []*shop.Job { return env.jobs[o.ID] }),
		"partLines": listOf(partLineType, func(n *needs) { n.parts = true },
			func(o *shop.Order, env *renderEnv) []*shop.PartLine { return env.parts[o.ID] }),
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
