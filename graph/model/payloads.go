package model

import (
	"sync"

	"bayboard/shop"
)

// The payloads of the order, job and additional-work mutations hold what the
// store returned; their record and order fields are resolvers, so a record
// beyond it (the order of a job, the current record on CONFLICT) is read only
// when the client selects the field: a client reporting progress asks for
// the job alone, and reading its order would add a statement to the job
// step's two.

// RepairOrderPayload is the result of a repair-order mutation.
type RepairOrderPayload struct {
	// Order is the order after the change; nil on a user error.
	Order *shop.Order
	// Conflicted names the order to show as it stands now, on CONFLICT.
	Conflicted shop.OrderID
	// UserErrors are the expected failures; empty on success.
	UserErrors []*UserError
}

// JobPayload is the result of a job mutation.
type JobPayload struct {
	// Job is the job after the change; nil on a user error.
	Job *shop.Job
	// Conflicted names the job to show as it stands now, on CONFLICT.
	Conflicted shop.JobID
	// UserErrors are the expected failures; empty on success.
	UserErrors []*UserError

	once    sync.Once
	current *shop.Job
	err     error
}

// Current returns the payload's job: after the change, or on CONFLICT as it
// stands now, read once by load however many fields ask.
func (p *JobPayload) Current(load func(shop.JobID) (*shop.Job, error)) (*shop.Job, error) {
	if p.Conflicted == 0 {
		return p.Job, nil
	}
	p.once.Do(func() { p.current, p.err = load(p.Conflicted) })
	return p.current, p.err
}

// AdditionalWorkPayload is the result of an additional-work mutation.
type AdditionalWorkPayload struct {
	// Work is the request after the change; nil on a user error.
	Work *shop.AdditionalWork
	// Conflicted names the request to show as it stands now, on CONFLICT.
	Conflicted shop.AdditionalWorkID
	// UserErrors are the expected failures; empty on success.
	UserErrors []*UserError

	once    sync.Once
	current *shop.AdditionalWork
	err     error
}

// Current returns the payload's request, as JobPayload.Current does.
func (p *AdditionalWorkPayload) Current(load func(shop.AdditionalWorkID) (*shop.AdditionalWork, error)) (*shop.AdditionalWork, error) {
	if p.Conflicted == 0 {
		return p.Work, nil
	}
	p.once.Do(func() { p.current, p.err = load(p.Conflicted) })
	return p.current, p.err
}
