package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob"

	"bayboard/api"
	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// photoJPEG returns a w×h JPEG, left half red and right half blue, with an
// EXIF segment carrying orientation o and a GPS marker string.
func photoJPEG(t *testing.T, w, h, o int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{255, 0, 0, 255}
			if x >= w/2 {
				c = color.RGBA{0, 0, 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	// Big-endian TIFF with one IFD entry: orientation (0x0112, SHORT, 1, o).
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, byte(o), 0, 0, 0, 0, 0, 0}
	tiff = append(tiff, []byte("GPS 22.5431N 114.0579E")...)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := append([]byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}, seg...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), app1...), b[2:]...)
}

type uploadEnv struct {
	db  *store.DB
	f   *storetest.Fixture
	srv *httptest.Server
	tok map[shop.UserID]string
	mu  sync.Mutex
	now time.Time
}

func newUploadEnv(t *testing.T) *uploadEnv {
	t.Helper()
	e := &uploadEnv{db: storetest.MustOpenDB(t), tok: map[shop.UserID]string{}, now: time.Now()}
	e.db.Now = func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
	e.db.AttachmentKey = []byte("test-signing-key")
	e.f = storetest.MustFixture(t, e.db)
	for _, u := range []*shop.User{e.f.Advisor, e.f.Tech, e.f.Board, e.f.OtherAdvisor} {
		tok := fmt.Sprintf("test-upload-%d-token", u.ID)
		if err := e.db.StoreToken(context.Background(), u.ID, tok, "test", 0); err != nil {
			t.Fatal(err)
		}
		e.tok[u.ID] = tok
	}
	b, err := blob.OpenBucket(context.Background(), "file://"+t.TempDir()+"?metadata=skip")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	u := &api.Uploads{DB: e.db, Bucket: b, Log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	mux.Handle("POST /attachments", api.WithRequestID(api.Authenticate(e.db, http.HandlerFunc(u.ServeUpload))))
	mux.HandleFunc("GET /attachments/{id}/{variant}", u.ServeFile)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

type uploadAnswer struct {
	ID, ContentType, URL, ThumbnailURL string
	Width, Height, Bytes               int
	Errors                             []struct {
		Message    string
		Extensions struct{ Code, Field string }
	}
}

func (e *uploadEnv) upload(t *testing.T, u *shop.User, ownerType, ownerID, name string, data []byte) (int, uploadAnswer) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("ownerType", ownerType)
	mw.WriteField("ownerId", ownerID)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/attachments", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if u != nil {
		req.Header.Set("Authorization", "Bearer "+e.tok[u.ID])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a uploadAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return resp.StatusCode, a
}

func (e *uploadEnv) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestUploadPhoto: a technician's photo of a job is checked by content,
// turned upright, stripped of EXIF, stored with a thumbnail and served by a
// signed URL until it expires; bad files and wrong people are refused with
// typed errors and nothing is stored.
func TestUploadPhoto(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t)
	car := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	jobID := shop.GlobalID(shop.TypeJob, int64(car.Jobs[0].ID))
	visitID := shop.GlobalID(shop.TypeVisit, int64(car.Visit.ID))

	var ok uploadAnswer
	t.Run("OK", func(t *testing.T) {
		status, a := e.upload(t, e.f.Tech, "JOB", jobID, "brake.jpg", photoJPEG(t, 1200, 800, 6))
		if status != http.StatusCreated || a.ContentType != "image/jpeg" {
			t.Fatalf("status=%d answer=%+v, want 201 image/jpeg", status, a)
		}
		if a.Width != 800 || a.Height != 1200 {
			t.Fatalf("size=%dx%d, want 800x1200 (orientation 6 turned upright)", a.Width, a.Height)
		}
		ok = a
		status, img := e.get(t, a.URL)
		if status != http.StatusOK || bytes.Contains(img, []byte("Exif")) || bytes.Contains(img, []byte("GPS")) {
			t.Fatalf("status=%d exif kept=%v, want 200 and no EXIF", status, bytes.Contains(img, []byte("Exif")))
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(img))
		if err != nil || cfg.Width != 800 || cfg.Height != 1200 {
			t.Fatalf("stored=%dx%d err=%v, want 800x1200", cfg.Width, cfg.Height, err)
		}
		status, th := e.get(t, a.ThumbnailURL)
		tc, err := jpeg.DecodeConfig(bytes.NewReader(th))
		if status != http.StatusOK || err != nil || tc.Width != 213 || tc.Height != 320 {
			t.Fatalf("thumbnail status=%d size=%dx%d err=%v, want 200 and 213x320", status, tc.Width, tc.Height, err)
		}
		// Upright: the red half of the sideways photo is now on top.
		top, _ := jpeg.Decode(bytes.NewReader(img))
		if r, _, b, _ := top.At(400, 100).RGBA(); r < b {
			t.Fatalf("top pixel r=%d b=%d, want red on top after turning", r>>8, b>>8)
		}
	})
	t.Run("OKPNG", func(t *testing.T) {
		img := image.NewNRGBA(image.Rect(0, 0, 40, 30))
		var buf bytes.Buffer
		png.Encode(&buf, img)
		status, a := e.upload(t, e.f.Tech, "JOB", jobID, "scan.jpg", buf.Bytes()) // the name says JPEG; the content decides
		if status != http.StatusCreated || a.ContentType != "image/png" || a.Width != 40 {
			t.Fatalf("status=%d answer=%+v, want 201 image/png 40 wide", status, a)
		}
	})
	before := storetest.Count(t, e.db, "attachments")
	for _, tc := range []struct {
		name              string
		by                *shop.User
		ownerType, owner  string
		data              []byte
		wantStatus        int
		wantCode, wantFld string
	}{
		{"ErrInvalidNotAnImage", e.f.Tech, "JOB", jobID, []byte("#!/bin/sh\necho hi\n"), 400, "INVALID", "file"},
		{"ErrInvalidDamagedJPEG", e.f.Tech, "JOB", jobID, photoJPEG(t, 40, 40, 1)[:200], 400, "INVALID", "file"},
		{"ErrInvalidOwnerType", e.f.Tech, "CUSTOMER", jobID, photoJPEG(t, 40, 40, 1), 400, "INVALID", "ownerType"},
		{"ErrInvalidOwnerID", e.f.Tech, "JOB", visitID, photoJPEG(t, 40, 40, 1), 400, "INVALID", "ownerId"},
		{"ErrTooLarge", e.f.Tech, "JOB", jobID, append(photoJPEG(t, 40, 40, 1), make([]byte, shop.MaxUploadBytes)...), 413, "INVALID", "file"},
		{"ErrForbiddenBoard", e.f.Board, "JOB", jobID, photoJPEG(t, 40, 40, 1), 403, "FORBIDDEN", ""},
		{"ErrForbiddenTechOnReception", e.f.Tech, "VISIT", visitID, photoJPEG(t, 40, 40, 1), 403, "FORBIDDEN", ""},
		{"ErrNotFoundOtherSite", e.f.OtherAdvisor, "JOB", jobID, photoJPEG(t, 40, 40, 1), 404, "NOT_FOUND", "ownerId"},
		{"ErrUnauthenticated", nil, "JOB", jobID, photoJPEG(t, 40, 40, 1), 401, "UNAUTHENTICATED", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, a := e.upload(t, tc.by, tc.ownerType, tc.owner, "x.jpg", tc.data)
			if status != tc.wantStatus || len(a.Errors) != 1 || a.Errors[0].Extensions.Code != tc.wantCode || a.Errors[0].Extensions.Field != tc.wantFld {
				t.Fatalf("status=%d answer=%+v, want %d %s field %q", status, a, tc.wantStatus, tc.wantCode, tc.wantFld)
			}
		})
	}
	if n := storetest.Count(t, e.db, "attachments"); n != before {
		t.Fatalf("attachments=%d after refused uploads, want %d", n, before)
	}
	t.Run("OKAdvisorReceptionPhoto", func(t *testing.T) {
		status, a := e.upload(t, e.f.Advisor, "VISIT", visitID, "scratch.jpg", photoJPEG(t, 64, 48, 1))
		if status != http.StatusCreated {
			t.Fatalf("status=%d answer=%+v, want 201", status, a)
		}
		if _, err := e.db.FindAttachments(storetest.Ctx(e.f.Board), shop.AttachToVisit, int64(car.Visit.ID)); shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("board reading reception photos: code=%q, want FORBIDDEN", shop.ErrorCode(err))
		}
		if _, err := e.db.FindAttachments(storetest.Ctx(e.f.Tech), shop.AttachToVisit, int64(car.Visit.ID)); shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("technician reading reception photos: code=%q, want FORBIDDEN", shop.ErrorCode(err))
		}
		job, err := e.db.FindAttachments(storetest.Ctx(e.f.Board), shop.AttachToJob, int64(car.Jobs[0].ID))
		if err != nil || len(job) != 2 {
			t.Fatalf("board's job photos=%d err=%v, want 2", len(job), err)
		}
	})
	t.Run("ErrNotFoundTamperedURL", func(t *testing.T) {
		if status, _ := e.get(t, strings.Replace(ok.URL, "/image?", "/thumb?", 1)); status != http.StatusNotFound {
			t.Fatalf("status=%d for another variant under the image's signature, want 404", status)
		}
		other := strings.Replace(ok.URL, "sig=", "sig=A", 1)
		if status, _ := e.get(t, other); status != http.StatusNotFound {
			t.Fatalf("status=%d for a changed signature, want 404", status)
		}
	})
	t.Run("ErrNotFoundExpiredURL", func(t *testing.T) {
		e.mu.Lock()
		e.now = e.now.Add(shop.AttachmentURLTTL + time.Second)
		e.mu.Unlock()
		if status, _ := e.get(t, ok.URL); status != http.StatusNotFound {
			t.Fatalf("status=%d after the URL expired, want 404", status)
		}
	})
}

// TestUploadVideo: a phone's short video is checked by content, stored
// without the location it carries (its chunk offsets still pointing at its
// frames) and served with its type and by ranges; text named .mp4, a WebM
// with tags and a file over the limit are refused and nothing is stored.
func TestUploadVideo(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t)
	car := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	jobID := shop.GlobalID(shop.TypeJob, int64(car.Jobs[0].ID))
	mp4 := api.PhoneMP4()
	if !bytes.Contains(mp4, []byte("\xa9xyz")) {
		t.Fatalf("test file has no ©xyz box")
	}
	t.Run("OK", func(t *testing.T) {
		status, a := e.upload(t, e.f.Tech, "JOB", jobID, "IMG_0001.MOV", mp4)
		if status != http.StatusCreated || a.ContentType != "video/mp4" || a.Width != 640 || a.Height != 480 || a.ThumbnailURL != "" {
			t.Fatalf("status=%d answer=%+v, want 201 video/mp4 640x480 without thumbnail", status, a)
		}
		resp, err := http.Get(e.srv.URL + a.URL)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "video/mp4" || len(stored) != a.Bytes {
			t.Fatalf("status=%d type=%q bytes=%d, want 200 video/mp4 %d", resp.StatusCode, resp.Header.Get("Content-Type"), len(stored), a.Bytes)
		}
		if bytes.Contains(stored, []byte("\xa9xyz")) || bytes.Contains(stored, []byte("ISO6709")) {
			t.Fatalf("stored video still carries its location")
		}
		offs := api.ChunkOffsets(t, stored)
		if len(offs) != 2 || string(stored[offs[0]:offs[0]+6]) != "FRAME0" || string(stored[offs[1]:offs[1]+6]) != "FRAME1" {
			t.Fatalf("chunk offsets=%v do not point at the frames", offs)
		}
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+a.URL, nil)
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", offs[0], offs[0]+5))
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		part, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || string(part) != "FRAME0" {
			t.Fatalf("range status=%d body=%q, want 206 FRAME0", resp.StatusCode, part)
		}
		all, err := e.db.FindAttachments(storetest.Ctx(e.f.Tech), shop.AttachToJob, int64(car.Jobs[0].ID))
		if err != nil || len(all) != 1 {
			t.Fatalf("attachments=%d err=%v, want 1", len(all), err)
		}
		if u := e.db.ThumbnailURL(all[0]); u != "" {
			t.Fatalf("thumbnailUrl=%q, want none for a video (null in the API)", u)
		}
		if status, _ := e.get(t, e.db.AttachmentURL(all[0], "thumb")); status != http.StatusNotFound {
			t.Fatalf("thumbnail of a video status=%d, want 404", status)
		}
	})
	t.Run("OKWebM", func(t *testing.T) {
		status, a := e.upload(t, e.f.Tech, "JOB", jobID, "clip.webm", api.RecordedWebM(false))
		if status != http.StatusCreated || a.ContentType != "video/webm" || a.Width != 0 {
			t.Fatalf("status=%d answer=%+v, want 201 video/webm", status, a)
		}
	})
	before := storetest.Count(t, e.db, "attachments")
	for _, tc := range []struct {
		name       string
		data       []byte
		wantStatus int
	}{
		{"ErrInvalidTextNamedMP4", []byte("not a video at all, only named clip.mp4\n"), 400},
		{"ErrInvalidDamagedMP4", mp4[:len(mp4)-30], 400},
		{"ErrInvalidWebMWithTags", api.RecordedWebM(true), 400},
		{"ErrTooLarge", append(append([]byte{}, mp4...), make([]byte, shop.MaxVideoBytes)...), 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, a := e.upload(t, e.f.Tech, "JOB", jobID, "clip.mp4", tc.data)
			if status != tc.wantStatus || len(a.Errors) != 1 || a.Errors[0].Extensions.Code != "INVALID" || a.Errors[0].Extensions.Field != "file" {
				t.Fatalf("status=%d answer=%+v, want %d INVALID field file", status, a, tc.wantStatus)
			}
		})
	}
	if n := storetest.Count(t, e.db, "attachments"); n != before {
		t.Fatalf("attachments=%d after refused uploads, want %d", n, before)
	}
}
