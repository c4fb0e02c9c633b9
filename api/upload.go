package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// buckets: a local folder, what `make run` uses
	_ "gocloud.dev/blob/s3blob"   // s3:// buckets: S3-compatible storage for several instances

	"bayboard/shop"
	"bayboard/store"
)

// Uploads serves photos and short videos (issue 17): POST /attachments
// takes one photo or video (multipart, with the bearer token: the GraphQL endpoint keeps refusing
// multipart), checks it by its content, re-encodes it (which drops EXIF,
// location included) with a thumbnail, writes both to blob storage and
// records it (a video is kept as sent but for its location metadata, with
// no thumbnail: see video.go); GET /attachments/{id}/{variant} serves it to whoever holds a
// URL the server signed for them (store.AttachmentURL) before it expires.
type Uploads struct {
	DB     *store.DB
	Bucket *blob.Bucket
	Log    *slog.Logger
}

// OpenBucket opens blob storage by URL: file:///abs/dir (a local folder,
// created if missing) or s3://bucket?region=…&endpoint=… (S3-compatible).
func OpenBucket(ctx context.Context, url string) (*blob.Bucket, error) {
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open blob storage %q: %w", url, err)
	}
	return b, nil
}

// uploadResult is the answer to an upload.
type uploadResult struct {
	ID           string `json:"id"`
	ContentType  string `json:"contentType"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	Bytes        int    `json:"bytes"`
	URL          string `json:"url"`
	ThumbnailURL string `json:"thumbnailUrl"`
}

// ServeUpload handles POST /attachments: multipart fields ownerType
// (VISIT, JOB, ADDITIONAL_WORK, WARRANTY_CLAIM, INSPECTION_ITEM), ownerId (a
// global ID) and file. It answers 201 with the photo's ID and signed URLs,
// or an error object with the code (400 INVALID, 401, 403, 404, 413). A
// video's answer has an empty thumbnailUrl, and width and height 0 when
// its header does not say.
func (u *Uploads) ServeUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if _, err := shop.RequireActor(ctx); err != nil {
		writeUploadError(w, r, err)
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		writeUploadError(w, r, shop.FieldErrorf("file", "Send the photo as multipart/form-data with fields ownerType, ownerId and file."))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		writeUploadError(w, r, shop.FieldErrorf("file", "The multipart body could not be read."))
		return
	}
	var ownerType shop.AttachmentOwner
	var ownerID int64
	var data []byte
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeUploadError(w, r, tooLargeOr(err, "The multipart body could not be read."))
			return
		}
		switch p.FormName() {
		case "ownerType":
			b, _ := io.ReadAll(io.LimitReader(p, 64))
			ownerType = shop.AttachmentOwner(strings.TrimSpace(string(b)))
		case "ownerId":
			b, _ := io.ReadAll(io.LimitReader(p, 128))
			ownerID, err = ownerIDArg(ownerType, strings.TrimSpace(string(b)))
			if err != nil {
				writeUploadError(w, r, err)
				return
			}
		case "file":
			if ownerID == 0 {
				writeUploadError(w, r, shop.FieldErrorf("ownerId", "Send ownerType and ownerId before the file."))
				return
			}
			// Refuse before reading megabytes nobody may store.
			if err := u.DB.CheckAttach(ctx, ownerType, ownerID); err != nil {
				writeUploadError(w, r, err)
				return
			}
			data, err = io.ReadAll(io.LimitReader(p, maxUploadBytes+1))
			if err != nil {
				writeUploadError(w, r, tooLargeOr(err, "The file could not be read."))
				return
			}
		}
		p.Close()
	}
	if data == nil {
		writeUploadError(w, r, shop.FieldErrorf("file", "No file was sent."))
		return
	}
	if kind := sniffVideo(data); kind != "" {
		u.saveVideo(w, r, ownerType, ownerID, data, kind)
		return
	}
	if len(data) > shop.MaxUploadBytes {
		writeUploadError(w, r, tooLarge{shop.FieldErrorf("file", "The photo is over %d MB: take it again at a lower resolution.", shop.MaxUploadBytes>>20)})
		return
	}
	img, err := processPhoto(data)
	if err != nil {
		writeUploadError(w, r, err)
		return
	}
	at := &shop.Attachment{OwnerType: ownerType, OwnerID: ownerID, ContentType: img.contentType, Bytes: len(img.image),
		Width: img.width, Height: img.height, SHA256: img.sum[:]}
	base := "attachments/" + randomHex(16)
	at.Key, at.ThumbKey = base+img.ext, base+"-thumb"+img.ext
	opts := &blob.WriterOptions{ContentType: img.contentType}
	if err := u.Bucket.WriteAll(ctx, at.Key, img.image, opts); err != nil {
		u.Log.ErrorContext(ctx, "write photo", "request_id", RequestID(ctx), "error", err)
		writeUploadError(w, r, errors.New("blob write failed"))
		return
	}
	if err := u.Bucket.WriteAll(ctx, at.ThumbKey, img.thumb, opts); err != nil {
		_ = u.Bucket.Delete(context.WithoutCancel(ctx), at.Key)
		u.Log.ErrorContext(ctx, "write thumbnail", "request_id", RequestID(ctx), "error", err)
		writeUploadError(w, r, errors.New("blob write failed"))
		return
	}
	saved, err := u.DB.CreateAttachment(ctx, at)
	if err != nil {
		// Nothing refers to the blobs: take them away again.
		_ = u.Bucket.Delete(context.WithoutCancel(ctx), at.Key)
		_ = u.Bucket.Delete(context.WithoutCancel(ctx), at.ThumbKey)
		writeUploadError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(uploadResult{ID: shop.GlobalID(shop.TypeAttachment, int64(saved.ID)), ContentType: saved.ContentType,
		Width: saved.Width, Height: saved.Height, Bytes: saved.Bytes,
		URL: u.DB.AttachmentURL(saved, "image"), ThumbnailURL: u.DB.ThumbnailURL(saved)})
}

// maxUploadBytes is the most a file may be, photo or video: which it is
// shows only once it is read.
const maxUploadBytes = max(shop.MaxUploadBytes, shop.MaxVideoBytes)

// saveVideo stores a video the way ServeUpload stores a photo: cleaned of
// its location, without a thumbnail.
func (u *Uploads) saveVideo(w http.ResponseWriter, r *http.Request, ownerType shop.AttachmentOwner, ownerID int64, data []byte, kind string) {
	ctx := r.Context()
	if len(data) > shop.MaxVideoBytes {
		writeUploadError(w, r, tooLarge{shop.FieldErrorf("file", "The video is over %d MB: record a shorter one.", shop.MaxVideoBytes>>20)})
		return
	}
	v, err := processVideo(data, kind)
	if err != nil {
		writeUploadError(w, r, err)
		return
	}
	sum := sha256.Sum256(v.data)
	at := &shop.Attachment{OwnerType: ownerType, OwnerID: ownerID, ContentType: v.contentType, Bytes: len(v.data),
		Width: v.width, Height: v.height, SHA256: sum[:], Key: "attachments/" + randomHex(16) + v.ext}
	if err := u.Bucket.WriteAll(ctx, at.Key, v.data, &blob.WriterOptions{ContentType: v.contentType}); err != nil {
		u.Log.ErrorContext(ctx, "write video", "request_id", RequestID(ctx), "error", err)
		writeUploadError(w, r, errors.New("blob write failed"))
		return
	}
	saved, err := u.DB.CreateAttachment(ctx, at)
	if err != nil {
		_ = u.Bucket.Delete(context.WithoutCancel(ctx), at.Key)
		writeUploadError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(uploadResult{ID: shop.GlobalID(shop.TypeAttachment, int64(saved.ID)), ContentType: saved.ContentType,
		Width: saved.Width, Height: saved.Height, Bytes: saved.Bytes, URL: u.DB.AttachmentURL(saved, "image")})
}

// ServeFile handles GET /attachments/{id}/{variant}?exp=…&sig=…: the signature
// is the permission (the viewer's site and role were checked when it was
// made). Anything wrong is a plain 404, and so is a video's thumbnail: it
// has none. Range requests are answered (a video player seeks with them).
func (u *Uploads) ServeFile(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	variant := r.PathValue("variant")
	q := r.URL.Query()
	if err != nil || (variant != "image" && variant != "thumb") ||
		u.DB.CheckAttachmentURL(shop.AttachmentID(n), variant, q.Get("exp"), q.Get("sig")) != nil {
		http.NotFound(w, r)
		return
	}
	at, err := u.DB.FindAttachmentByID(r.Context(), shop.AttachmentID(n))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	key := at.Key
	if variant == "thumb" {
		key = at.ThumbKey
	}
	if key == "" {
		http.NotFound(w, r)
		return
	}
	f, err := u.Bucket.NewReader(r.Context(), key, nil)
	if err != nil {
		u.Log.ErrorContext(r.Context(), "read attachment", "request_id", RequestID(r.Context()), "key", key, "error", err)
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", at.ContentType)
	w.Header().Set("Cache-Control", "private, max-age=600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", at.CreatedAt, f)
}

// ownerIDArg parses the global ID of the record, of the type ownerType names.
func ownerIDArg(owner shop.AttachmentOwner, id string) (int64, error) {
	typ := map[shop.AttachmentOwner]string{shop.AttachToVisit: shop.TypeVisit, shop.AttachToJob: shop.TypeJob,
		shop.AttachToAdditionalWork: shop.TypeAdditionalWork, shop.AttachToWarrantyClaim: shop.TypeWarrantyClaim,
		shop.AttachToInspectionItem: shop.TypeInspectionItem}[owner]
	if typ == "" {
		return 0, shop.MayAttach(nil, owner, 0)
	}
	return shop.ParseTypedID("ownerId", typ, id)
}

// photo is an uploaded image, re-encoded.
type photo struct {
	image, thumb  []byte
	contentType   string
	ext           string
	width, height int
	sum           [32]byte
}

// processPhoto checks data by its content and re-encodes it: JPEG stays
// JPEG (quality 85), PNG stays PNG; larger than shop.MaxImageSide is scaled
// down; the thumbnail's longer side is shop.ThumbnailSide. Re-encoding
// keeps only pixels: EXIF (the phone's location, its serial) is gone.
func processPhoto(data []byte) (*photo, error) {
	sniffed := http.DetectContentType(data)
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil && (sniffed == "image/jpeg" || sniffed == "image/png") {
		return nil, shop.FieldErrorf("file", "The %s image could not be read: the file is damaged or not a photo.", sniffed)
	}
	if err := shop.CheckUpload(sniffed, int64(len(data)), cfg.Width, cfg.Height); err != nil {
		return nil, err
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, shop.FieldErrorf("file", "The %s image could not be read: the file is damaged or not a photo.", sniffed)
	}
	if sniffed == "image/jpeg" {
		src = orient(src, jpegOrientation(data))
	}
	b := src.Bounds()
	w, h := shop.FitWithin(b.Dx(), b.Dy(), shop.MaxImageSide)
	full := scale(src, w, h)
	tw, th := shop.FitWithin(w, h, shop.ThumbnailSide)
	thumb := scale(full, tw, th)
	p := &photo{contentType: sniffed, width: w, height: h}
	enc := func(img image.Image) ([]byte, error) {
		var buf bytes.Buffer
		var err error
		if sniffed == "image/png" {
			err = png.Encode(&buf, img)
		} else {
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
		}
		return buf.Bytes(), err
	}
	p.ext = ".jpg"
	if sniffed == "image/png" {
		p.ext = ".png"
	}
	if p.image, err = enc(full); err != nil {
		return nil, err
	}
	if p.thumb, err = enc(thumb); err != nil {
		return nil, err
	}
	p.sum = sha256.Sum256(p.image)
	return p, nil
}

// scale returns src resized to w×h by averaging the source pixels each
// target pixel covers (a box filter: good for shrinking, all a thumbnail
// needs). Same size: a plain copy into RGBA, which drops everything but pixels.
func scale(src image.Image, w, h int) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if b.Dx() == w && b.Dy() == h {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
		return dst
	}
	sw, sh := b.Dx(), b.Dy()
	for y := 0; y < h; y++ {
		y0, y1 := b.Min.Y+y*sh/h, b.Min.Y+max((y+1)*sh/h, y*sh/h+1)
		for x := 0; x < w; x++ {
			x0, x1 := b.Min.X+x*sw/w, b.Min.X+max((x+1)*sw/w, x*sw/w+1)
			var r, g, bl, a, n uint64
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					cr, cg, cb, ca := src.At(sx, sy).RGBA()
					r, g, bl, a, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), a+uint64(ca), n+1
				}
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(r / n >> 8), uint8(g / n >> 8), uint8(bl / n >> 8), uint8(a / n >> 8)})
		}
	}
	return dst
}

// jpegOrientation returns the EXIF orientation (1 to 8) of a JPEG, 1 when
// it has none: phones store photos sideways and say so there, and
// re-encoding drops EXIF, so the pixels must be turned first.
func jpegOrientation(data []byte) int {
	i := 2
	for i+4 <= len(data) && data[i] == 0xFF {
		marker, size := data[i+1], int(data[i+2])<<8|int(data[i+3])
		if marker == 0xDA || size < 2 || i+2+size > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+size]
		if marker == 0xE1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + size
	}
	return 1
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	u16 := func(b []byte) int { return int(b[0])<<8 | int(b[1]) }
	u32 := func(b []byte) int { return int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3]) }
	if string(t[:2]) == "II" {
		u16 = func(b []byte) int { return int(b[1])<<8 | int(b[0]) }
		u32 = func(b []byte) int { return int(b[3])<<24 | int(b[2])<<16 | int(b[1])<<8 | int(b[0]) }
	} else if string(t[:2]) != "MM" {
		return 1
	}
	off := u32(t[4:8])
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := u16(t[off:])
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if u16(t[e:]) == 0x0112 {
			if o := u16(t[e+8:]); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient turns src upright for EXIF orientation o.
func orient(src image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, src.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// tooLarge marks an INVALID upload that is refused for its size (413).
type tooLarge struct{ error }

func (e tooLarge) Unwrap() error { return e.error }

// tooLargeOr maps a body over the limit to its INVALID error, else msg.
func tooLargeOr(err error, msg string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge{shop.FieldErrorf("file", "The upload is too large: a photo may be at most %d MB, a video %d MB.", shop.MaxUploadBytes>>20, shop.MaxVideoBytes>>20)}
	}
	return shop.FieldErrorf("file", "%s", msg)
}

// writeUploadError answers an upload with the error's code as an HTTP
// status and the GraphQL error shape clients already read.
func writeUploadError(w http.ResponseWriter, r *http.Request, err error) {
	code := shop.ErrorCode(err)
	status := map[string]int{shop.EINVALID: http.StatusBadRequest, shop.EUNAUTHENTICATED: http.StatusUnauthorized,
		shop.EFORBIDDEN: http.StatusForbidden, shop.ENOTFOUND: http.StatusNotFound, shop.EUNAVAILABLE: http.StatusServiceUnavailable}[code]
	msg := shop.ErrorMessage(err)
	if status == 0 {
		slog.ErrorContext(r.Context(), "upload", "request_id", RequestID(r.Context()), "error", err)
		status, code, msg = http.StatusInternalServerError, shop.EINTERNAL, "Internal error."
	}
	field := ""
	var se *shop.Error
	if errors.As(err, &se) {
		field = se.Field
	}
	if errors.As(err, new(tooLarge)) {
		status = http.StatusRequestEntityTooLarge
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	ext := map[string]any{"code": code, "requestId": RequestID(r.Context())}
	if field != "" {
		ext["field"] = field
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": msg, "extensions": ext}}})
}
