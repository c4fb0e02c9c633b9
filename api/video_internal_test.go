package api

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// box returns an ISO BMFF box of type typ holding the concatenated parts.
func box(typ string, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

// fullBox returns a box with version 0, flags 0 and the parts.
func fullBox(typ string, parts ...[]byte) []byte {
	return box(typ, append([][]byte{{0, 0, 0, 0}}, parts...)...)
}

// tkhd returns a version-0 track header of a w×h track.
func tkhd(w, h int) []byte {
	p := make([]byte, 80)
	binary.BigEndian.PutUint32(p[72:], uint32(w)<<16)
	binary.BigEndian.PutUint32(p[76:], uint32(h)<<16)
	return fullBox("tkhd", p)
}

// chunkOffsets returns an stco (or co64 when wide) box of offs.
func chunkOffsets(wide bool, offs ...uint64) []byte {
	p := binary.BigEndian.AppendUint32(nil, uint32(len(offs)))
	for _, o := range offs {
		if wide {
			p = binary.BigEndian.AppendUint64(p, o)
		} else {
			p = binary.BigEndian.AppendUint32(p, uint32(o))
		}
	}
	if wide {
		return fullBox("co64", p)
	}
	return fullBox("stco", p)
}

// phoneMP4Opts shapes the synthetic file phoneMP4 writes.
type phoneMP4Opts struct {
	moovLast bool // mdat before moov, as a camera writes before fast start
	wide     bool // co64 instead of stco
	clean    bool // no udta and no meta at all
}

// phoneMP4 builds a small MP4 the way a phone writes one: ftyp, moov with
// the location in moov/udta/©xyz, moov/meta (keys ISO6709) and
// trak/udta, and an mdat whose two chunks read FRAME0 and FRAME1; the chunk
// offsets point at them.
func phoneMP4(o phoneMP4Opts) []byte {
	build := func(offs []uint64) []byte {
		ftyp := box("ftyp", []byte("mp42"), []byte{0, 0, 0, 0}, []byte("isommp42"))
		trakKids := [][]byte{tkhd(640, 480)}
		moovKids := [][]byte{fullBox("mvhd", make([]byte, 96))}
		if !o.clean {
			moovKids = append(moovKids,
				box("udta", box("\xa9xyz", []byte{0, 19, 0x15, 0xc7}, []byte("+22.5431+114.0579/"))),
				fullBox("meta", fullBox("hdlr", make([]byte, 4), []byte("mdta"), make([]byte, 13)),
					fullBox("keys", []byte{0, 0, 0, 1}, box("mdta", []byte("com.apple.quicktime.location.ISO6709"))),
					box("ilst", box("\x00\x00\x00\x01", box("data", make([]byte, 8), []byte("+22.5431+114.0579/"))))))
			trakKids = append(trakKids, box("udta", box("name", []byte("GPS track"))))
		}
		trakKids = append(trakKids, box("mdia", box("minf", box("stbl", chunkOffsets(o.wide, offs...)))))
		moovKids = append(moovKids, box("trak", trakKids...))
		moov := box("moov", moovKids...)
		mdat := box("mdat", []byte("FRAME0...FRAME1..."))
		if o.moovLast {
			return bytes.Join([][]byte{ftyp, mdat, moov}, nil)
		}
		return bytes.Join([][]byte{ftyp, moov, mdat}, nil)
	}
	f := build([]uint64{0, 0})
	return build([]uint64{uint64(bytes.Index(f, []byte("FRAME0"))), uint64(bytes.Index(f, []byte("FRAME1")))})
}

// readChunkOffsets parses f back (every box's size must add up) and
// returns the offsets of its stco or co64 box.
func readChunkOffsets(t *testing.T, f []byte) []uint64 {
	t.Helper()
	var offs []uint64
	var walk func(from, to int)
	walk = func(from, to int) {
		boxes, err := mp4Boxes(f, from, to)
		if err != nil {
			t.Fatalf("parse back [%d:%d]: %v", from, to, err)
		}
		for _, b := range boxes {
			p := f[b.start+b.hdr : b.end]
			switch {
			case mp4Containers[b.typ]:
				walk(b.start+b.hdr, b.end)
			case b.typ == "stco":
				for k := 0; k < int(binary.BigEndian.Uint32(p[4:])); k++ {
					offs = append(offs, uint64(binary.BigEndian.Uint32(p[8+4*k:])))
				}
			case b.typ == "co64":
				for k := 0; k < int(binary.BigEndian.Uint32(p[4:])); k++ {
					offs = append(offs, binary.BigEndian.Uint64(p[8+8*k:]))
				}
			}
		}
	}
	walk(0, len(f))
	return offs
}

func TestStripMP4(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts phoneMP4Opts
	}{
		{"OKFastStart", phoneMP4Opts{}},
		{"OKMoovLast", phoneMP4Opts{moovLast: true}},
		{"OKCo64", phoneMP4Opts{wide: true}},
		{"OKClean", phoneMP4Opts{clean: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := phoneMP4(tc.opts)
			if offs := readChunkOffsets(t, in); len(offs) != 2 || string(in[offs[0]:offs[0]+6]) != "FRAME0" {
				t.Fatalf("test file offsets=%v, want FRAME0 at the first", offs)
			}
			out, w, h, err := stripMP4(in)
			if err != nil {
				t.Fatalf("err=%v, want nil", err)
			}
			for _, leak := range []string{"\xa9xyz", "ISO6709", "+22.5431", "udta", "meta", "GPS track"} {
				if bytes.Contains(out, []byte(leak)) {
					t.Fatalf("stripped file still holds %q", leak)
				}
			}
			if w != 640 || h != 480 {
				t.Fatalf("size=%dx%d, want 640x480", w, h)
			}
			offs := readChunkOffsets(t, out)
			for k, want := range []string{"FRAME0", "FRAME1"} {
				if k >= len(offs) || offs[k]+6 > uint64(len(out)) || string(out[offs[k]:offs[k]+6]) != want {
					t.Fatalf("offsets=%v in %d bytes, want chunk %d at %s", offs, len(out), k, want)
				}
			}
			if tc.opts.clean && !bytes.Equal(out, in) {
				t.Fatalf("a file without metadata changed (%d → %d bytes), want it as it was", len(in), len(out))
			}
			if m := bytes.Index(in, []byte("moov")) - 4; tc.opts.moovLast && !bytes.Equal(out[:m], in[:m]) {
				t.Fatalf("media moved though moov is last")
			}
		})
	}
	t.Run("OKFragmentBaseOffset", func(t *testing.T) {
		build := func(base uint64) []byte {
			tfhd := box("tfhd", []byte{0, 0, 0, 1}, []byte{0, 0, 0, 1}, binary.BigEndian.AppendUint64(nil, base))
			return bytes.Join([][]byte{
				box("ftyp", []byte("iso5"), []byte{0, 0, 0, 0}, []byte("iso5")),
				box("moov", fullBox("mvhd", make([]byte, 96)), box("udta", box("\xa9xyz", []byte("+22.5431+114.0579/"))), box("mvex")),
				box("moof", box("traf", tfhd)),
				box("mdat", []byte("FRAME0")),
			}, nil)
		}
		in := build(uint64(bytes.Index(build(0), []byte("FRAME0"))))
		out, _, _, err := stripMP4(in)
		if err != nil {
			t.Fatalf("err=%v, want nil", err)
		}
		i := bytes.Index(out, []byte("tfhd")) + 12
		if base := binary.BigEndian.Uint64(out[i:]); bytes.Contains(out, []byte("\xa9xyz")) || string(out[base:base+6]) != "FRAME0" {
			t.Fatalf("base offset=%d, want it at FRAME0 and no ©xyz", base)
		}
	})
	good := phoneMP4(phoneMP4Opts{})
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"ErrCutShort", good[:len(good)-40]},
		{"ErrNoFtyp", good[bytes.Index(good, []byte("moov"))-4:]},
		{"ErrBoxTooSmall", append(append([]byte{}, good[:32]...), 0, 0, 0, 4, 'f', 'r', 'e', 'e')},
		{"ErrChildOverflows", func() []byte {
			b := append([]byte{}, good...)
			i := bytes.Index(b, []byte("trak")) - 4
			binary.BigEndian.PutUint32(b[i:], 1<<20)
			return b
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, _, err := stripMP4(tc.data); err != errVideo {
				t.Fatalf("err=%v, want errVideo", err)
			}
		})
	}
}

// ebmlElem returns an EBML element: its ID bytes, an 8-byte size (or the
// unknown size when unknown) and the payload.
func ebmlElem(id string, unknown bool, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	size := binary.BigEndian.AppendUint64(nil, uint64(len(body)))
	size[0] = 0x01
	if unknown {
		size = []byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
	}
	return append(append([]byte(id), size...), body...)
}

// recordedWebM returns a WebM file the way MediaRecorder writes one (a
// Segment and Clusters of unknown size), with a Tags element when tags.
func recordedWebM(docType string, tags bool, segmentKnown bool) []byte {
	head := ebmlElem("\x1A\x45\xDF\xA3", false, ebmlElem("\x42\x86", false, []byte{1}), ebmlElem("\x42\x82", false, []byte(docType)))
	kids := [][]byte{
		ebmlElem("\x15\x49\xA9\x66", false, ebmlElem("\x2A\xD7\xB1", false, []byte{0x0F, 0x42, 0x40})),
		ebmlElem("\x1F\x43\xB6\x75", true, ebmlElem("\xE7", false, []byte{0}), ebmlElem("\xA3", false, []byte("\x81\x00\x00\x80frame"))),
		ebmlElem("\x1F\x43\xB6\x75", true, ebmlElem("\xE7", false, []byte{40}), ebmlElem("\xA3", false, []byte("\x81\x00\x00\x80frame"))),
	}
	if tags {
		kids = append(kids, ebmlElem("\x12\x54\xC3\x67", false, ebmlElem("\x73\x73", false, ebmlElem("\x45\xA3", false, []byte("LOCATION")))))
	}
	return append(head, ebmlElem("\x18\x53\x80\x67", !segmentKnown, kids...)...)
}

func TestWebM(t *testing.T) {
	for _, tc := range []struct {
		name       string
		data       []byte
		wantKind   string
		wantTagged bool
	}{
		{"OK", recordedWebM("webm", false, false), "video/webm", false},
		{"OKKnownSegment", recordedWebM("webm", false, true), "video/webm", false},
		{"ErrInvalidTagsAfterClusters", recordedWebM("webm", true, false), "video/webm", true},
		{"ErrInvalidTagsKnownSegment", recordedWebM("webm", true, true), "video/webm", true},
		{"ErrInvalidMatroska", recordedWebM("matroska", false, false), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sniffVideo(tc.data); got != tc.wantKind {
				t.Fatalf("kind=%q, want %q", got, tc.wantKind)
			}
			tagged, err := webmTagged(tc.data)
			if err != nil || tagged != tc.wantTagged {
				t.Fatalf("tagged=%v err=%v, want %v", tagged, err, tc.wantTagged)
			}
		})
	}
	t.Run("ErrDamaged", func(t *testing.T) {
		f := recordedWebM("webm", false, true)
		if _, err := webmTagged(f[:len(f)-3]); err != errVideo {
			t.Fatalf("err=%v, want errVideo", err)
		}
	})
}

func TestSniffVideo(t *testing.T) {
	heic := box("ftyp", []byte("heic"), []byte{0, 0, 0, 0}, []byte("mif1heic"))
	qt := box("ftyp", []byte("qt  "), []byte{0, 0, 2, 0}, []byte("qt  "))
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"OKMP4", phoneMP4(phoneMP4Opts{}), "video/mp4"},
		{"OKQuickTime", append(qt, box("mdat")...), "video/quicktime"},
		{"ErrInvalidHEIC", append(heic, box("mdat")...), ""},
		{"ErrInvalidText", []byte("just some text, named video.mp4\n"), ""},
		{"ErrInvalidFtypTooLong", append([]byte{0, 0, 1, 0}, []byte("ftypmp42\x00\x00\x00\x00isom")...), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sniffVideo(tc.data); got != tc.want {
				t.Fatalf("kind=%q, want %q", got, tc.want)
			}
		})
	}
}
