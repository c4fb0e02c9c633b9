package api

import (
	"bytes"
	"encoding/binary"
	"errors"

	"bayboard/shop"
)

// Short videos (issue 17) cannot be re-encoded without a decoder, so the
// bytes are kept and only what tells where they were made is taken out: an
// MP4's udta and meta boxes (©xyz, com.apple.quicktime.location.ISO6709).
// A WebM file is taken as it is only when it has no Tags (nor Attachments).

// errVideo is an MP4 or WebM file whose boxes or elements do not add up.
var errVideo = errors.New("damaged video")

// video is an uploaded video, cleaned.
type video struct {
	data          []byte
	contentType   string
	ext           string
	width, height int // of the first visual track of an MP4; 0 when unknown
	tagged        bool
}

// sniffVideo returns the content type data's header declares, "" when it
// is not a video this server takes: an ISO BMFF file starting with an ftyp
// box naming a phone's video brand, or an EBML file whose DocType is webm.
func sniffVideo(data []byte) string {
	if len(data) >= 16 && string(data[4:8]) == "ftyp" {
		n := int(binary.BigEndian.Uint32(data))
		if n < 16 || n > len(data) {
			return ""
		}
		brands := []string{string(data[8:12])}
		for i := 16; i+4 <= n; i += 4 {
			brands = append(brands, string(data[i:i+4]))
		}
		return shop.VideoContentType(brands...)
	}
	if len(data) >= 4 && string(data[:4]) == "\x1A\x45\xDF\xA3" && webmDocType(data) == "webm" {
		return "video/webm"
	}
	return ""
}

// processVideo checks data by its content and takes location out of it.
func processVideo(data []byte, kind string) (*video, error) {
	v := &video{contentType: kind}
	var err error
	switch kind {
	case "video/webm":
		v.data, v.ext = data, ".webm"
		v.tagged, err = webmTagged(data)
	default:
		v.ext = ".mp4"
		if kind == "video/quicktime" {
			v.ext = ".mov"
		}
		v.data, v.width, v.height, err = stripMP4(data)
	}
	if err != nil {
		return nil, shop.FieldErrorf("file", "The video could not be read: the file is damaged or cut short.")
	}
	if err := shop.CheckVideoUpload(kind, int64(len(v.data)), v.tagged); err != nil {
		return nil, err
	}
	return v, nil
}

// mp4Box is one box of an ISO BMFF file: data[start:end], its payload from
// start+hdr.
type mp4Box struct {
	typ             string
	start, hdr, end int
}

// mp4Boxes lists the boxes in data[from:to]. A size of 0 (to the end) is
// allowed for the last box of the file only.
func mp4Boxes(data []byte, from, to int) ([]mp4Box, error) {
	var out []mp4Box
	for i := from; i < to; {
		if to-i < 8 {
			return nil, errVideo
		}
		size, hdr := uint64(binary.BigEndian.Uint32(data[i:])), 8
		switch size {
		case 0:
			if to != len(data) {
				return nil, errVideo
			}
			size = uint64(to - i)
		case 1:
			if to-i < 16 {
				return nil, errVideo
			}
			size, hdr = binary.BigEndian.Uint64(data[i+8:]), 16
		}
		if size < uint64(hdr) || size > uint64(to-i) {
			return nil, errVideo
		}
		out = append(out, mp4Box{typ: string(data[i+4 : i+8]), start: i, hdr: hdr, end: i + int(size)})
		i += int(size)
	}
	return out, nil
}

// mp4Containers are the boxes stripMP4 looks into: the path to the chunk
// offsets (stco, co64), the track header (tkhd) and a fragment's base
// offset (tfhd).
var mp4Containers = map[string]bool{"moov": true, "trak": true, "mdia": true, "minf": true, "stbl": true,
	"edts": true, "mvex": true, "moof": true, "traf": true}

// stripMP4 returns data without its udta and meta boxes (top level, and
// anywhere in moov, trak, moof and the boxes between them), the sizes of
// their parents made smaller, and every absolute offset into the file
// (stco, co64, a tfhd's base data offset) moved back by the bytes removed
// before it: with moov before mdat (fast start) the media moves. width and
// height are those of the first track header with a size.
func stripMP4(data []byte) (out []byte, width, height int, err error) {
	top, err := mp4Boxes(data, 0, len(data))
	if err != nil {
		return nil, 0, 0, err
	}
	if len(top) == 0 || top[0].typ != "ftyp" {
		return nil, 0, 0, errVideo
	}
	// The ranges of the original file removed, in order.
	var cut [][2]int
	var mark func(boxes []mp4Box) error
	mark = func(boxes []mp4Box) error {
		for _, b := range boxes {
			switch {
			case b.typ == "udta" || b.typ == "meta":
				cut = append(cut, [2]int{b.start, b.end})
			case mp4Containers[b.typ]:
				kids, err := mp4Boxes(data, b.start+b.hdr, b.end)
				if err != nil {
					return err
				}
				if err := mark(kids); err != nil {
					return err
				}
			case b.typ == "tkhd" && width == 0:
				width, height = tkhdSize(data[b.start+b.hdr : b.end])
			}
		}
		return nil
	}
	if err := mark(top); err != nil {
		return nil, 0, 0, err
	}
	// shift is how many removed bytes lie before offset o of the original.
	shift := func(o uint64) uint64 {
		var n uint64
		for _, c := range cut {
			if uint64(c[1]) <= o {
				n += uint64(c[1] - c[0])
			}
		}
		return n
	}
	out = make([]byte, 0, len(data))
	var emit func(boxes []mp4Box) error
	emit = func(boxes []mp4Box) error {
		for _, b := range boxes {
			payload := data[b.start+b.hdr : b.end]
			switch {
			case b.typ == "udta" || b.typ == "meta":
				continue
			case mp4Containers[b.typ]:
				at := len(out)
				out = append(out, data[b.start:b.start+b.hdr]...)
				kids, _ := mp4Boxes(data, b.start+b.hdr, b.end)
				if err := emit(kids); err != nil {
					return err
				}
				size := len(out) - at
				if b.hdr == 16 {
					binary.BigEndian.PutUint64(out[at+8:], uint64(size))
				} else if binary.BigEndian.Uint32(out[at:]) != 0 {
					binary.BigEndian.PutUint32(out[at:], uint32(size))
				}
				continue
			}
			at := len(out)
			out = append(out, data[b.start:b.end]...)
			body := out[at+b.hdr:]
			switch b.typ {
			case "stco", "co64":
				w := 4
				if b.typ == "co64" {
					w = 8
				}
				if len(payload) < 8 {
					return errVideo
				}
				n := uint64(binary.BigEndian.Uint32(payload[4:]))
				if uint64(len(payload)-8) < n*uint64(w) {
					return errVideo
				}
				for k := 0; k < int(n); k++ {
					e := body[8+k*w:]
					if w == 4 {
						o := uint64(binary.BigEndian.Uint32(e))
						binary.BigEndian.PutUint32(e, uint32(o-shift(o)))
					} else {
						o := binary.BigEndian.Uint64(e)
						binary.BigEndian.PutUint64(e, o-shift(o))
					}
				}
			case "tfhd":
				// flags 0x000001: an absolute base data offset follows the track ID.
				if len(payload) >= 16 && payload[3]&1 != 0 {
					o := binary.BigEndian.Uint64(payload[8:])
					binary.BigEndian.PutUint64(body[8:], o-shift(o))
				}
			}
		}
		return nil
	}
	if err := emit(top); err != nil {
		return nil, 0, 0, err
	}
	return out, width, height, nil
}

// tkhdSize returns the width and height (16.16 fixed point) at the end of a
// track header; 0 for a sound track or a header too short.
func tkhdSize(p []byte) (int, int) {
	n := 84 // version 0: the header's fields before width and height, then 8 bytes
	if len(p) > 0 && p[0] == 1 {
		n = 96
	}
	if len(p) < n {
		return 0, 0
	}
	return int(binary.BigEndian.Uint32(p[n-8:]) >> 16), int(binary.BigEndian.Uint32(p[n-4:]) >> 16)
}

// ebml reads the element at data[i:]: its ID, the start and end of its
// payload (end -1 for an unknown size, which live recorders write for the
// Segment and its Clusters).
func ebml(data []byte, i int) (id uint32, start, end int, err error) {
	vint := func(i int, keepMarker bool) (uint64, int, bool, error) {
		if i >= len(data) || data[i] == 0 {
			return 0, 0, false, errVideo
		}
		n := 1
		for data[i]&(0x80>>(n-1)) == 0 {
			n++
		}
		if i+n > len(data) {
			return 0, 0, false, errVideo
		}
		v := uint64(data[i])
		if !keepMarker {
			v &= uint64(0xFF >> n)
		}
		all := v == uint64(0xFF>>n)
		for k := 1; k < n; k++ {
			v = v<<8 | uint64(data[i+k])
			all = all && data[i+k] == 0xFF
		}
		return v, n, all, nil
	}
	idv, n, _, err := vint(i, true)
	if err != nil || n > 4 {
		return 0, 0, 0, errVideo
	}
	size, m, unknown, err := vint(i+n, false)
	if err != nil {
		return 0, 0, 0, err
	}
	start = i + n + m
	if unknown {
		return uint32(idv), start, -1, nil
	}
	if size > uint64(len(data)-start) {
		return 0, 0, 0, errVideo
	}
	return uint32(idv), start, start + int(size), nil
}

// webmDocType returns the DocType of the EBML header at the start of data.
func webmDocType(data []byte) string {
	id, start, end, err := ebml(data, 0)
	if err != nil || id != 0x1A45DFA3 || end < 0 {
		return ""
	}
	for i := start; i < end; {
		cid, cs, ce, err := ebml(data, i)
		if err != nil || ce < 0 || ce > end {
			return ""
		}
		if cid == 0x4282 {
			return string(bytes.TrimRight(data[cs:ce], "\x00"))
		}
		i = ce
	}
	return ""
}

// webmTagged reports whether a WebM file has a Tags or an Attachments
// element. It walks the file flat: into the Segment and into any element of
// unknown size, over the rest, so a Tags element anywhere a player would
// read one is found.
func webmTagged(data []byte) (bool, error) {
	for i := 0; i < len(data); {
		id, start, end, err := ebml(data, i)
		if err != nil {
			return false, err
		}
		switch {
		case id == 0x1254C367 || id == 0x1941A469: // Tags, Attachments
			return true, nil
		case id == 0x18538067 || end < 0: // Segment, or a Cluster being recorded
			i = start
		default:
			i = end
		}
	}
	return false, nil
}
