package shop

import (
	"strings"
	"time"
)

// ApprovalLinkTTL is how long a customer's approval link works.
const ApprovalLinkTTL = 72 * time.Hour

// ApprovalLink is the customer's own link to one order's proposed additional
// work: no login, a random token (kept only as its hash), expiring and
// revocable. It shows that order and nothing else of the customer.
type ApprovalLink struct {
	ID        ApprovalLinkID
	SiteID    SiteID
	OrderID   OrderID
	Hash      []byte
	CreatedBy UserID
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// NewApprovalLink decides an advisor's sending of a link for order o, whose
// additional-work requests waiting for the customer's answer number pending:
// one who records customers' answers may send it, while the car is in the
// workshop and something waits for an answer. hash is the SHA-256 of the
// fresh token (the caller draws it). Errors: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID_TRANSITION, INVALID.
func NewApprovalLink(o *Order, pending int, hash []byte, by *Actor, now time.Time) (ApprovalLink, error) {
	if err := Authorize(by, o.SiteID, ActDecideExtra); err != nil {
		return ApprovalLink{}, err
	}
	if !o.State.InWorkshop() || o.State == OrderSettled {
		return ApprovalLink{}, Errorf(EINVALIDTRANSITION, "Order %s is %s: only a car in the workshop gets an approval link.", o.Number, o.State.Describe())
	}
	if pending == 0 {
		return ApprovalLink{}, Errorf(EINVALID, "No additional work on order %s waits for the customer's answer.", o.Number)
	}
	if len(hash) != 32 {
		return ApprovalLink{}, Errorf(EINTERNAL, "The link's token could not be made.")
	}
	return ApprovalLink{SiteID: o.SiteID, OrderID: o.ID, Hash: hash, CreatedBy: by.UserID, CreatedAt: now,
		ExpiresAt: now.Add(ApprovalLinkTTL)}, nil
}

// CheckApprovalLink returns NOT_FOUND unless link l works at now: not
// revoked, not expired. The customer reads the same sentence either way (a
// token reveals nothing about why it stopped working).
func CheckApprovalLink(l *ApprovalLink, now time.Time) error {
	if l == nil || l.RevokedAt != nil || !now.Before(l.ExpiresAt) {
		return Errorf(ENOTFOUND, "This link no longer works. Ask your service advisor for a new one.")
	}
	return nil
}

// RevokeApprovalLink decides the revocation of link l by an advisor of its
// site. Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION
// (already revoked).
func RevokeApprovalLink(l ApprovalLink, by *Actor, now time.Time) (ApprovalLink, error) {
	if err := Authorize(by, l.SiteID, ActDecideExtra); err != nil {
		return l, err
	}
	if l.RevokedAt != nil {
		return l, Errorf(EINVALIDTRANSITION, "This link is already revoked.")
	}
	l.RevokedAt = &now
	return l, nil
}

// ApprovalLinkURL is the address of the customer's page for token, under
// the server's public URL base.
func ApprovalLinkURL(base, token string) string {
	return strings.TrimRight(base, "/") + "/approve/" + token
}

// ContactCustomerLink is the channel of an answer the customer gave on
// their own approval link.
const ContactCustomerLink ContactMethod = "CUSTOMER_LINK"
