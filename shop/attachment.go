package shop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"strconv"
	"time"
)

// AttachmentID identifies a photo attached to a record.
type AttachmentID int64

// TypeAttachment is the type name of attachments in global IDs.
const TypeAttachment = "Attachment"

func (id AttachmentID) MarshalGQL(w io.Writer) { marshalID(w, TypeAttachment, int64(id)) }

func (id *AttachmentID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeAttachment)
	*id = AttachmentID(n)
	return err
}

// AttachmentOwner is the kind of record a photo belongs to.
type AttachmentOwner string

// The records photos attach to (issue 17).
const (
	AttachToVisit          AttachmentOwner = "VISIT"           // the reception: damage, belongings (接车)
	AttachToJob            AttachmentOwner = "JOB"             // findings, the worn part, the finished work
	AttachToAdditionalWork AttachmentOwner = "ADDITIONAL_WORK" // what the customer is asked to approve
	AttachToWarrantyClaim  AttachmentOwner = "WARRANTY_CLAIM"  // the proof a claim needs (缺少照片)
	AttachToInspectionItem AttachmentOwner = "INSPECTION_ITEM" // an item of the digital inspection
)

// Attachment is a photo kept in blob storage; the database keeps this.
type Attachment struct {
	ID          AttachmentID
	SiteID      SiteID
	OwnerType   AttachmentOwner
	OwnerID     int64
	OrderID     *OrderID // the order the owner belongs to, when it has one
	ContentType string   // of the stored (re-encoded) image
	Bytes       int
	Width       int
	Height      int
	Key         string // blob key of the image
	ThumbKey    string // blob key of the thumbnail
	SHA256      []byte // of the stored image
	UploadedBy  UserID
	CreatedAt   time.Time
}

// Upload limits: what a phone's camera makes, not more.
const (
	MaxUploadBytes   = 15 << 20 // a photo of a modern phone is 3 to 8 MB
	MaxImagePixels   = 50_000_000
	ThumbnailSide    = 320 // the thumbnail's longer side, in pixels
	MaxImageSide     = 4096
	AttachmentURLTTL = 10 * time.Minute // how long a signed photo URL works
	MaxVideoBytes    = 50 << 20         // half a minute of a phone's 1080p video
)

// videoBrands are the ISO BMFF brands (the ftyp box's major and compatible
// brands) of the videos a phone's camera writes, and the content type each
// is stored as. Still-image brands (heic, mif1, avif) are not here: those
// are photos this server cannot re-encode.
var videoBrands = map[string]string{
	"isom": "video/mp4", "iso2": "video/mp4", "iso4": "video/mp4", "iso5": "video/mp4", "iso6": "video/mp4",
	"mp41": "video/mp4", "mp42": "video/mp4", "avc1": "video/mp4", "M4V ": "video/mp4",
	"3gp4": "video/mp4", "3gp5": "video/mp4", "3gp6": "video/mp4",
	"qt  ": "video/quicktime",
}

// VideoContentType returns the content type of an ISO BMFF file whose ftyp
// box names brands (the major brand first): the first brand a phone's video
// carries decides, "" when none is a video brand.
func VideoContentType(brands ...string) string {
	for _, b := range brands {
		if ct := videoBrands[b]; ct != "" {
			return ct
		}
	}
	return ""
}

// IsVideo reports whether an attachment's content type is a video: it has
// no thumbnail and may have no width and height.
func IsVideo(contentType string) bool {
	return contentType == "video/mp4" || contentType == "video/quicktime" || contentType == "video/webm"
}

// CheckVideoUpload validates a short video by what its content is: kind is
// the type found in its header ("video/mp4", "video/quicktime",
// "video/webm"); not empty, not over MaxVideoBytes. tagged says a WebM file
// carries Tags or Attachments, where a recorder may write the place it was
// made: such a file is refused, as the server cannot take them out.
// Errors: INVALID (field "file").
func CheckVideoUpload(kind string, size int64, tagged bool) error {
	switch {
	case size == 0:
		return FieldErrorf("file", "The file is empty.")
	case !IsVideo(kind):
		return FieldErrorf("file", "Only MP4, QuickTime and WebM videos are accepted; this file is %s.", kind)
	case size > MaxVideoBytes:
		return FieldErrorf("file", "The video is %d MB; a video may be at most %d MB: record a shorter one.", size>>20, MaxVideoBytes>>20)
	case tagged:
		return FieldErrorf("file", "This WebM video carries tags (they may say where it was recorded), which cannot be removed here: record it again with the tablet's camera.")
	}
	return nil
}

// attachActs are the actions that let a role attach photos to each kind.
var attachActs = map[AttachmentOwner][]Action{
	AttachToVisit:          {ActReceive},
	AttachToJob:            {ActWorkJob, ActRequestExtra, ActFinalInspection},
	AttachToAdditionalWork: {ActRequestExtra, ActDecideExtra},
	AttachToWarrantyClaim:  {ActWarranty},
	AttachToInspectionItem: {ActWorkJob, ActRequestExtra},
}

// MayAttach returns nil if a may attach a photo to a record of kind owner at
// site: who receives the car photographs its damage, who works or checks a
// job its findings, a warranty clerk the claim's proof. Errors:
// UNAUTHENTICATED, NOT_FOUND (another site), FORBIDDEN, INVALID (kind).
func MayAttach(a *Actor, owner AttachmentOwner, site SiteID) error {
	acts, ok := attachActs[owner]
	if !ok {
		return FieldErrorf("ownerType", "Photos attach to a VISIT, JOB, ADDITIONAL_WORK, WARRANTY_CLAIM or INSPECTION_ITEM, not %q.", owner)
	}
	if err := Authorize(a, site, ActRead); err != nil {
		return err
	}
	for _, act := range acts {
		if Allowed(a.Role, act) {
			return nil
		}
	}
	return Errorf(EFORBIDDEN, "Your role (%s) may not add photos to a %s.", a.Role, owner)
}

// MayViewAttachment returns nil if a may see a photo of a record of kind
// owner at site. A reception's and a warranty claim's photos show plates,
// belongings and interiors: only roles that read personal data see them. A
// board sees job photos only. Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func MayViewAttachment(a *Actor, owner AttachmentOwner, site SiteID) error {
	if err := Authorize(a, site, ActRead); err != nil {
		return err
	}
	switch {
	case a.Role == RoleBoard && owner != AttachToJob:
		return Errorf(EFORBIDDEN, "A board shows job photos only.")
	case (owner == AttachToVisit || owner == AttachToWarrantyClaim) && !Allowed(a.Role, ActReadPersonal):
		return Errorf(EFORBIDDEN, "Photos of the reception and of warranty claims show the customer's car and belongings: your role (%s) does not see them.", a.Role)
	}
	return nil
}

// CheckUpload validates a photo by what its content is, not by its name:
// sniffed is http.DetectContentType's answer, and width and height come from
// the image's header. JPEG and PNG only; not empty, not over MaxUploadBytes,
// not over MaxImagePixels (a small file can declare a huge image). Errors:
// INVALID (field "file").
func CheckUpload(sniffed string, size int64, width, height int) error {
	if size == 0 {
		return FieldErrorf("file", "The file is empty.")
	}
	if size > MaxUploadBytes {
		return FieldErrorf("file", "The file is %d MB; a photo may be at most %d MB.", size>>20, MaxUploadBytes>>20)
	}
	if sniffed != "image/jpeg" && sniffed != "image/png" {
		return FieldErrorf("file", "Only JPEG and PNG photos (and MP4, QuickTime or WebM videos) are accepted; this file is %s.", sniffed)
	}
	if width <= 0 || height <= 0 || int64(width)*int64(height) > MaxImagePixels {
		return FieldErrorf("file", "The image is %d×%d pixels; at most %d megapixels are accepted.", width, height, MaxImagePixels/1_000_000)
	}
	return nil
}

// FitWithin returns the size of a w×h image scaled down (never up) so its
// longer side is at most side.
func FitWithin(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, h*side/w)
	}
	return max(1, w*side/h), side
}

// SignAttachmentURL returns the query of a signed URL to variant ("image" or
// "thumb") of photo id, working until exp: "exp=…&sig=…", the signature an
// HMAC-SHA256 under key. Whoever holds it sees that photo until then and
// nothing else; the server checked their site and role when it signed.
func SignAttachmentURL(key []byte, id AttachmentID, variant string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return "exp=" + e + "&sig=" + attachmentSig(key, id, variant, e)
}

func attachmentSig(key []byte, id AttachmentID, variant, exp string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.FormatInt(int64(id), 10) + "|" + variant + "|" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckAttachmentURL returns NOT_FOUND unless sig signs variant of id until
// exp under key and exp is after now. Errors: NOT_FOUND.
func CheckAttachmentURL(key []byte, id AttachmentID, variant, exp, sig string, now time.Time) error {
	bad := Errorf(ENOTFOUND, "This photo link is not valid or has expired: reload the page.")
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || len(key) == 0 || !now.Before(time.Unix(n, 0)) {
		return bad
	}
	if !hmac.Equal([]byte(sig), []byte(attachmentSig(key, id, variant, exp))) {
		return bad
	}
	return nil
}
