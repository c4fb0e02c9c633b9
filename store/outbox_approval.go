package store

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"bayboard/shop"
)

// The customer's approval link (issue 17): what the page on the customer's
// phone shows, and their answers, which go through the same decision as an
// advisor's (decideAdditional) with the channel CUSTOMER_LINK.

// ApprovalView is what the customer's page shows: the car, the inspection
// with photos, each proposed item. Nothing else of the customer.
type ApprovalView struct {
	Site       string             `json:"site"`
	Order      string             `json:"order"`
	Plate      string             `json:"plate"`
	Car        string             `json:"car"`
	Locale     string             `json:"locale"`
	Currency   string             `json:"currency"`
	ExpiresAt  time.Time          `json:"expiresAt"`
	Items      []*ApprovalItem    `json:"items"`
	Inspection []*ApprovalFinding `json:"inspection"`
}

// ApprovalItem is one proposed piece of additional work.
type ApprovalItem struct {
	ID           string          `json:"id"`
	Description  string          `json:"description"`
	Reason       string          `json:"reason"`
	Price        string          `json:"price"`
	ExtraMinutes int             `json:"extraMinutes"`
	Safety       bool            `json:"safety"`
	State        string          `json:"state"`
	Photos       []ApprovalPhoto `json:"photos"`
}

// ApprovalFinding is one checked line of the order's inspections.
type ApprovalFinding struct {
	Name   string          `json:"name"`
	Status string          `json:"status"`
	Note   string          `json:"note"`
	Photos []ApprovalPhoto `json:"photos"`
}

// ApprovalPhoto is a photo's (or a short video's) signed URLs; a video has
// no thumbnail.
type ApprovalPhoto struct {
	URL         string `json:"url"`
	Thumb       string `json:"thumb,omitempty"`
	ContentType string `json:"contentType"`
}

// findLink returns the working link of token, or NOT_FOUND.
func findLink(ctx context.Context, q sqlx.QueryerContext, token string, now time.Time) (*shop.ApprovalLink, error) {
	h := sha256.Sum256([]byte(token))
	var l shop.ApprovalLink
	err := sqlx.GetContext(ctx, q, &l, `
		SELECT id, site_id, order_id, hash, created_by, created_at, expires_at, revoked_at FROM approval_links WHERE hash = $1`, h[:])
	if isNoRows(err) {
		return nil, shop.CheckApprovalLink(nil, now)
	} else if err != nil {
		return nil, translate(err)
	}
	return &l, shop.CheckApprovalLink(&l, now)
}

// FindApprovalView returns what the page of a customer's link shows. The
// token is the permission. Errors: NOT_FOUND (unknown, expired or revoked).
func (d *DB) FindApprovalView(ctx context.Context, token string) (*ApprovalView, error) {
	l, err := findLink(ctx, d.db, token, d.Now())
	if err != nil {
		return nil, err
	}
	v := &ApprovalView{ExpiresAt: l.ExpiresAt, Items: []*ApprovalItem{}, Inspection: []*ApprovalFinding{}}
	if err := d.db.QueryRowxContext(ctx, `
		SELECT s.name, o.number, ve.plate, trim(ve.make || ' ' || ve.model), COALESCE(ms.locale, 'zh'), s.currency
		FROM repair_orders o JOIN visits vi ON vi.id = o.visit_id JOIN vehicles ve ON ve.id = vi.vehicle_id
		JOIN sites s ON s.id = o.site_id LEFT JOIN message_settings ms ON ms.site_id = o.site_id
		WHERE o.id = $1`, l.OrderID).Scan(&v.Site, &v.Order, &v.Plate, &v.Car, &v.Locale, &v.Currency); err != nil {
		return nil, translate(err)
	}
	photos, err := d.linkPhotos(ctx, l.OrderID)
	if err != nil {
		return nil, err
	}
	var aws []*shop.AdditionalWork
	if err := d.db.SelectContext(ctx, &aws, `SELECT `+additionalColumns+` FROM additional_work WHERE order_id = $1 ORDER BY id`, l.OrderID); err != nil {
		return nil, translate(err)
	}
	for _, aw := range aws {
		it := &ApprovalItem{ID: shop.GlobalID(shop.TypeAdditionalWork, int64(aw.ID)), Description: aw.Description, Reason: aw.Reason,
			Price: aw.Total().String(), ExtraMinutes: aw.ExtraMinutes, Safety: aw.Safety, State: string(aw.State),
			Photos: photos[photoKey{shop.AttachToAdditionalWork, int64(aw.ID)}]}
		v.Items = append(v.Items, it)
	}
	var items []*shop.InspectionItem
	if err := d.db.SelectContext(ctx, &items, `
		SELECT `+itemColumns+` FROM inspection_items WHERE order_id = $1 AND status IS NOT NULL ORDER BY inspection_id, seq`, l.OrderID); err != nil {
		return nil, translate(err)
	}
	for _, it := range items {
		f := &ApprovalFinding{Name: it.Name, Status: string(*it.Status), Note: it.Note, Photos: photos[photoKey{shop.AttachToInspectionItem, int64(it.ID)}]}
		if f.Photos == nil {
			f.Photos = []ApprovalPhoto{}
		}
		v.Inspection = append(v.Inspection, f)
	}
	for _, it := range v.Items {
		if it.Photos == nil {
			it.Photos = []ApprovalPhoto{}
		}
	}
	return v, nil
}

type photoKey struct {
	owner shop.AttachmentOwner
	id    int64
}

// linkPhotos returns the order's photos of additional work and inspection
// items (not the reception's: they show belongings), signed.
func (d *DB) linkPhotos(ctx context.Context, order shop.OrderID) (map[photoKey][]ApprovalPhoto, error) {
	var rows []*shop.Attachment
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT `+attachmentColumns+` FROM attachments WHERE order_id = $1 AND owner_type = ANY($2) ORDER BY id`,
		order, pq.Array([]string{string(shop.AttachToAdditionalWork), string(shop.AttachToInspectionItem)})); err != nil {
		return nil, translate(err)
	}
	out := map[photoKey][]ApprovalPhoto{}
	for _, a := range rows {
		k := photoKey{a.OwnerType, a.OwnerID}
		out[k] = append(out[k], ApprovalPhoto{URL: d.AttachmentURL(a, "image"), Thumb: d.ThumbnailURL(a), ContentType: a.ContentType})
	}
	return out, nil
}

// DecideByLinkInput is the customer's answer to one proposed item.
type DecideByLinkInput struct {
	Token            string
	AdditionalWorkID shop.AdditionalWorkID
	Approve          bool
	// Name is the customer's name as they typed it.
	Name string
}

// DecideByLink records a customer's answer from their link: the same
// decision as approveAdditionalWork / declineAdditionalWork, taken on behalf
// of the advisor who sent the link, with the channel CUSTOMER_LINK and the
// name the customer typed. Errors: NOT_FOUND (link, or an item of another
// order), INVALID, INVALID_TRANSITION (already answered), FORBIDDEN.
func (d *DB) DecideByLink(ctx context.Context, in DecideByLinkInput) (*shop.AdditionalWork, error) {
	l, err := findLink(ctx, d.db, in.Token, d.Now())
	if err != nil {
		return nil, err
	}
	var ok bool
	if err := d.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM additional_work WHERE id = $1 AND order_id = $2)`,
		in.AdditionalWorkID, l.OrderID); err != nil {
		return nil, translate(err)
	}
	if !ok {
		return nil, notFoundAt("additionalWorkId", "No such item on this order.")
	}
	var advisor userRow
	if err := d.db.GetContext(ctx, &advisor, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, l.CreatedBy); err != nil {
		return nil, translate(err)
	}
	u := advisor.user()
	actx := shop.NewContextWithActor(ctx, &shop.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, TeamLead: u.TeamLead, SiteIDs: u.SiteIDs})
	op := "declineAdditionalWork"
	if in.Approve {
		op = "approveAdditionalWork"
	}
	return d.decideAdditional(actx, op, DecideAdditionalWorkInput{AdditionalWorkID: in.AdditionalWorkID,
		CustomerContact: in.Name, ContactMethod: shop.ContactCustomerLink}, in.Approve)
}

// RevokeApprovalLinksInput names the order whose links stop working.
type RevokeApprovalLinksInput struct {
	OrderID shop.OrderID
}

// RevokeApprovalLinks revokes every working link of an order
// (shop.RevokeApprovalLink each) and returns how many it revoked. Errors:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (d *DB) RevokeApprovalLinks(ctx context.Context, in RevokeApprovalLinksInput) (int, error) {
	return mutate(d, ctx, "revokeApprovalLinks", "", in, func(c *change) (int, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActRead, nil)
		if err != nil {
			return 0, err
		}
		var links []*shop.ApprovalLink
		if err := c.tx.SelectContext(c.ctx, &links, `
			SELECT id, site_id, order_id, hash, created_by, created_at, expires_at, revoked_at FROM approval_links
			WHERE order_id = $1 AND revoked_at IS NULL AND expires_at > $2 FOR UPDATE`, o.ID, c.now); err != nil {
			return 0, err
		}
		for _, l := range links {
			l2, err := shop.RevokeApprovalLink(*l, c.actor, c.now)
			if err != nil {
				return 0, err
			}
			if _, err := c.tx.ExecContext(c.ctx, `UPDATE approval_links SET revoked_at = $2 WHERE id = $1`, l2.ID, l2.RevokedAt); err != nil {
				return 0, err
			}
		}
		return len(links), nil
	})
}
