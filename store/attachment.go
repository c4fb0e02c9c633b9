package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"

	"github.com/jmoiron/sqlx"

	"bayboard/shop"
)

// Photos (issue 17): the image and its thumbnail are in blob storage (see
// api/upload.go); the database keeps their metadata, in attachments.

const attachmentColumns = `id, site_id, owner_type, owner_id, order_id, content_type, bytes, width, height, key, thumb_key, sha256, uploaded_by, created_at`

// ownerQueries read a record's site and order, by the kind of record.
var ownerQueries = map[shop.AttachmentOwner]string{
	shop.AttachToVisit:          `SELECT site_id, (SELECT max(o.id) FROM repair_orders o WHERE o.visit_id = v.id) FROM visits v WHERE id = $1`,
	shop.AttachToJob:            `SELECT site_id, order_id FROM jobs WHERE id = $1`,
	shop.AttachToAdditionalWork: `SELECT site_id, order_id FROM additional_work WHERE id = $1`,
	shop.AttachToWarrantyClaim:  `SELECT site_id, order_id FROM warranty_claims WHERE id = $1`,
	shop.AttachToInspectionItem: `SELECT site_id, order_id FROM inspection_items WHERE id = $1`,
}

// attachmentOwner reads the site and order of the record a photo belongs to.
// A record of another site is NOT_FOUND, like a missing one.
func attachmentOwner(ctx context.Context, q sqlx.QueryerContext, a *shop.Actor, owner shop.AttachmentOwner, id int64) (shop.SiteID, *shop.OrderID, error) {
	query, ok := ownerQueries[owner]
	if !ok {
		return 0, nil, shop.MayAttach(a, owner, 0) // INVALID: names the kinds
	}
	var site shop.SiteID
	var order sql.NullInt64
	err := q.QueryRowxContext(ctx, query, id).Scan(&site, &order)
	if isNoRows(err) || (err == nil && !a.CanSeeSite(site)) {
		return 0, nil, notFoundAt("ownerId", "No record with that ID exists.")
	} else if err != nil {
		return 0, nil, translate(err)
	}
	if !order.Valid {
		return site, nil, nil
	}
	o := shop.OrderID(order.Int64)
	return site, &o, nil
}

// CheckAttach tells an uploader, before the photo is read and stored,
// whether they may attach one to the record. Errors: UNAUTHENTICATED,
// NOT_FOUND, FORBIDDEN, INVALID.
func (d *DB) CheckAttach(ctx context.Context, owner shop.AttachmentOwner, id int64) error {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return err
	}
	site, _, err := attachmentOwner(ctx, d.db, a, owner, id)
	if err != nil {
		return err
	}
	return shop.MayAttach(a, owner, site)
}

// CreateAttachment records a stored photo (its blobs written) against its
// record, checking again who may. Errors: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID.
func (d *DB) CreateAttachment(ctx context.Context, at *shop.Attachment) (*shop.Attachment, error) {
	return mutate(d, ctx, "createAttachment", "", at.Key, func(c *change) (*shop.Attachment, error) {
		site, order, err := attachmentOwner(c.ctx, c.tx, c.actor, at.OwnerType, at.OwnerID)
		if err != nil {
			return nil, err
		}
		if err := shop.MayAttach(c.actor, at.OwnerType, site); err != nil {
			return nil, err
		}
		out := *at
		out.SiteID, out.OrderID, out.UploadedBy, out.CreatedAt = site, order, c.actor.UserID, c.now
		err = c.tx.GetContext(c.ctx, &out.ID, `
			INSERT INTO attachments (site_id, owner_type, owner_id, order_id, content_type, bytes, width, height, key, thumb_key, sha256, uploaded_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			out.SiteID, out.OwnerType, out.OwnerID, out.OrderID, out.ContentType, out.Bytes, out.Width, out.Height,
			out.Key, out.ThumbKey, out.SHA256, out.UploadedBy, out.CreatedAt)
		return &out, err
	})
}

// FindAttachments returns the photos of a record, oldest first, to who may
// see them (shop.MayViewAttachment). Errors: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID.
func (d *DB) FindAttachments(ctx context.Context, owner shop.AttachmentOwner, id int64) ([]*shop.Attachment, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	site, _, err := attachmentOwner(ctx, d.db, a, owner, id)
	if err != nil {
		return nil, err
	}
	if err := shop.MayViewAttachment(a, owner, site); err != nil {
		return nil, err
	}
	var rows []*shop.Attachment
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+attachmentColumns+` FROM attachments WHERE owner_type = $1 AND owner_id = $2 ORDER BY id`, owner, id)
	return rows, translate(err)
}

// FindAttachmentByID returns a photo's metadata without an actor: for
// serving a signed URL, whose signature is the permission. Errors: NOT_FOUND.
func (d *DB) FindAttachmentByID(ctx context.Context, id shop.AttachmentID) (*shop.Attachment, error) {
	var at shop.Attachment
	err := d.db.GetContext(ctx, &at, `SELECT `+attachmentColumns+` FROM attachments WHERE id = $1`, id)
	if isNoRows(err) {
		return nil, notFoundAt("id", "No photo with that ID exists.")
	}
	return &at, translate(err)
}

// AttachmentURL returns a signed, short-lived (shop.AttachmentURLTTL) path
// to variant ("image" or "thumb") of a photo the caller has been allowed to
// see (FindAttachments checked). The signing key is AttachmentKey: the same
// on every instance, or a URL signed by one fails on another.
func (d *DB) AttachmentURL(at *shop.Attachment, variant string) string {
	exp := d.Now().Add(shop.AttachmentURLTTL)
	return fmt.Sprintf("/attachments/%s/%s?%s", url.PathEscape(strconv.FormatInt(int64(at.ID), 10)), variant,
		shop.SignAttachmentURL(d.AttachmentKey, at.ID, variant, exp))
}

// ThumbnailURL returns AttachmentURL(at, "thumb"), or "" for a video: no
// thumbnail is made of one.
func (d *DB) ThumbnailURL(at *shop.Attachment) string {
	if shop.IsVideo(at.ContentType) {
		return ""
	}
	return d.AttachmentURL(at, "thumb")
}

// CheckAttachmentURL verifies a signed URL's query at the store's clock.
// Errors: NOT_FOUND.
func (d *DB) CheckAttachmentURL(id shop.AttachmentID, variant, exp, sig string) error {
	return shop.CheckAttachmentURL(d.AttachmentKey, id, variant, exp, sig, d.Now())
}
