package graph

import (
	"strconv"
	"time"

	"bayboard/shop"
)

// The board's cards and their jobs, written by directLists (render.go).
// late and minutesLate are the card's own methods at one clock reading for
// the whole list, where the generic resolvers read the clock once per card.

var cardType = &objectType[shop.Card]{
	name: "BoardCard", implementors: boardCardImplementors,
	fields: map[string]writeFunc[shop.Card]{
		"orderId":     idField(shop.TypeOrder, func(c *shop.Card) shop.OrderID { return c.OrderID }),
		"number":      stringField(func(c *shop.Card) string { return c.Number }),
		"state":       enumField(func(c *shop.Card) shop.OrderState { return c.State }),
		"stage":       enumField(func(c *shop.Card) shop.Stage { return c.Stage }),
		"stageSince":  timeField(func(c *shop.Card) time.Time { return c.StageSince }),
		"priority":    enumField(func(c *shop.Card) shop.Priority { return c.Priority }),
		"plate":       stringField(func(c *shop.Card) string { return c.Plate }),
		"make":        stringField(func(c *shop.Card) string { return c.Make }),
		"model":       stringField(func(c *shop.Card) string { return c.Model }),
		"colour":      stringField(func(c *shop.Card) string { return c.Colour }),
		"advisor":     stringField(func(c *shop.Card) string { return c.Advisor }),
		"technicians": stringListField(func(c *shop.Card) []string { return c.Technicians }),
		"bays":        stringListField(func(c *shop.Card) []string { return c.Bays }),
		"promisedAt":  optionalTimeField(func(c *shop.Card) *time.Time { return c.PromisedAt }),
		"readyAt":     optionalTimeField(func(c *shop.Card) *time.Time { return c.ReadyAt }),
		"notifyBy":    optionalTimeField(func(c *shop.Card) *time.Time { return c.NotifyBy }),
		"late":        func(b []byte, c *shop.Card, env *renderEnv) []byte { return strconv.AppendBool(b, c.Late(env.now)) },
		"minutesLate": func(b []byte, c *shop.Card, env *renderEnv) []byte {
			return strconv.AppendInt(b, int64(c.MinutesLate(env.now)), 10)
		},
		"blockers":      stringListField(func(c *shop.Card) []shop.Blocker { return c.Blockers }),
		"progress":      intField(func(c *shop.Card) int { return c.Progress }),
		"jobsDone":      intField(func(c *shop.Card) int { return c.JobsDone }),
		"jobsTotal":     intField(func(c *shop.Card) int { return c.JobsTotal }),
		"reworkCount":   intField(func(c *shop.Card) int { return c.ReworkCount }),
		"washRequested": boolField(func(c *shop.Card) bool { return c.WashRequested }),
	},
	nested: map[string]nestedFunc[shop.Card]{
		"jobs": valuesOf(cardJobType, func(c *shop.Card) []shop.CardJob { return c.Jobs }),
	},
}

var cardJobType = &objectType[shop.CardJob]{
	name: "BoardCardJob", implementors: boardCardJobImplementors,
	fields: map[string]writeFunc[shop.CardJob]{
		"jobId":       idField(shop.TypeJob, func(j *shop.CardJob) shop.JobID { return j.JobID }),
		"description": stringField(func(j *shop.CardJob) string { return j.Description }),
		"state":       enumField(func(j *shop.CardJob) shop.JobState { return j.State }),
		"technician":  stringField(func(j *shop.CardJob) string { return j.Technician }),
		"bay":         stringField(func(j *shop.CardJob) string { return j.Bay }),
		"progress":    intField(func(j *shop.CardJob) int { return j.Progress }),
		"safety":      boolField(func(j *shop.CardJob) bool { return j.Safety }),
	},
}
