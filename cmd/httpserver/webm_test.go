package main

// A minimal WebM (Matroska) writer for the browser test: it wraps the VP8
// frames of testdata/clip.ivf, repeated as often as asked, so that the
// test can serve a video large enough that the browser must fetch the
// part it seeks to with a range request of its own, without committing a
// large file or needing ffmpeg. Element IDs and layout follow the
// Matroska specification (RFC 9559) and the WebM profile of it.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ivfFrame is one frame of an IVF file.
type ivfFrame struct {
	ms   int64 // presentation time in milliseconds
	key  bool  // a VP8 key frame: decodable on its own
	data []byte
}

// ivfClip is an IVF file's VP8 frames and picture size.
type ivfClip struct {
	width, height int
	frames        []ivfFrame
	durationMS    int64 // from the first frame to the end of the last
}

// parseIVF reads an IVF file of VP8 frames: a 32-byte header ("DKIF",
// version, header size, "VP80", width, height, time base rate and scale,
// frame count), then frames of a 12-byte header (size, 64-bit time in
// time base units) and the frame.
func parseIVF(b []byte) (*ivfClip, error) {
	le := binary.LittleEndian
	if len(b) < 32 || string(b[:4]) != "DKIF" || string(b[8:12]) != "VP80" {
		return nil, errors.New("not an IVF file of VP8")
	}
	hdrLen := int(le.Uint16(b[6:]))
	rate, scale := int64(le.Uint32(b[16:])), int64(le.Uint32(b[20:]))
	if hdrLen < 32 || hdrLen > len(b) || rate == 0 || scale == 0 {
		return nil, errors.New("bad IVF header")
	}
	c := &ivfClip{width: int(le.Uint16(b[12:])), height: int(le.Uint16(b[14:]))}
	var firstPTS, lastPTS int64
	for p := b[hdrLen:]; len(p) > 0; {
		if len(p) < 12 {
			return nil, errors.New("truncated IVF frame header")
		}
		n := int(le.Uint32(p))
		if n == 0 || 12+n > len(p) {
			return nil, errors.New("bad IVF frame size")
		}
		pts := int64(le.Uint64(p[4:]))
		if len(c.frames) == 0 {
			firstPTS = pts
		}
		lastPTS = pts
		data := p[12 : 12+n]
		// A VP8 frame tag's lowest bit is 0 for a key frame (RFC 6386 §9.1).
		c.frames = append(c.frames, ivfFrame{ms: pts * scale * 1000 / rate, key: data[0]&1 == 0, data: data})
		p = p[12+n:]
	}
	if len(c.frames) == 0 || !c.frames[0].key {
		return nil, errors.New("IVF clip must begin with a key frame")
	}
	// The last frame lasts one time base unit.
	c.durationMS = (lastPTS - firstPTS + 1) * scale * 1000 / rate
	return c, nil
}

// EBML element IDs (RFC 8794, RFC 9559).
const (
	idEBML               = 0x1A45DFA3
	idEBMLVersion        = 0x4286
	idEBMLReadVersion    = 0x42F7
	idEBMLMaxIDLength    = 0x42F2
	idEBMLMaxSizeLength  = 0x42F3
	idDocType            = 0x4282
	idDocTypeVersion     = 0x4287
	idDocTypeReadVersion = 0x4285
	idSegment            = 0x18538067
	idSeekHead           = 0x114D9B74
	idSeek               = 0x4DBB
	idSeekID             = 0x53AB
	idSeekPosition       = 0x53AC
	idInfo               = 0x1549A966
	idTimestampScale     = 0x2AD7B1
	idDuration           = 0x4489
	idMuxingApp          = 0x4D80
	idWritingApp         = 0x5741
	idTracks             = 0x1654AE6B
	idTrackEntry         = 0xAE
	idTrackNumber        = 0xD7
	idTrackUID           = 0x73C5
	idTrackType          = 0x83
	idFlagLacing         = 0x9C
	idCodecID            = 0x86
	idVideo              = 0xE0
	idPixelWidth         = 0xB0
	idPixelHeight        = 0xBA
	idCues               = 0x1C53BB6B
	idCuePoint           = 0xBB
	idCueTime            = 0xB3
	idCueTrackPositions  = 0xB7
	idCueTrack           = 0xF7
	idCueClusterPosition = 0xF1
	idCluster            = 0x1F43B675
	idTimestamp          = 0xE7
	idSimpleBlock        = 0xA3
)

// appendID appends an element ID, whose bytes carry their own length.
func appendID(b []byte, id uint32) []byte {
	switch {
	case id > 0xFFFFFF:
		return append(b, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
	case id > 0xFFFF:
		return append(b, byte(id>>16), byte(id>>8), byte(id))
	case id > 0xFF:
		return append(b, byte(id>>8), byte(id))
	}
	return append(b, byte(id))
}

// appendSize appends n as an EBML variable-length integer of the fewest
// bytes (a value of all ones is reserved for "unknown").
func appendSize(b []byte, n uint64) []byte {
	l := 1
	for l < 8 && n >= 1<<(7*l)-1 {
		l++
	}
	v := n | 1<<(7*l)
	for i := l - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// el appends the element id with the data given.
func el(b []byte, id uint32, data ...[]byte) []byte {
	n := 0
	for _, d := range data {
		n += len(d)
	}
	b = appendSize(appendID(b, id), uint64(n))
	for _, d := range data {
		b = append(b, d...)
	}
	return b
}

// elUint appends an unsigned integer element in the fewest bytes.
func elUint(b []byte, id uint32, v uint64) []byte {
	n := 1
	for n < 8 && v>>(8*n) != 0 {
		n++
	}
	return elUintN(b, id, v, n)
}

// elUintN appends an unsigned integer element in exactly n bytes, so that
// its size does not depend on its value.
func elUintN(b []byte, id uint32, v uint64, n int) []byte {
	d := make([]byte, n)
	for i := range n {
		d[i] = byte(v >> (8 * (n - 1 - i)))
	}
	return el(b, id, d)
}

func elString(b []byte, id uint32, s string) []byte { return el(b, id, []byte(s)) }

// makeWebM returns a WebM file of clip's frames repeated loops times,
// laid out as a browser likes it for seeking: the Cues (a cue per
// cluster, one cluster per key frame) before the clusters, so that the
// index is read with the header and a seek needs only the bytes of the
// cluster it lands in.
func makeWebM(clip *ivfClip, loops int) []byte {
	// The clusters first: their offsets go into the Cues.
	type cue struct{ ms, off int64 }
	var cues []cue
	var clusters, cl []byte
	var clusterMS int64
	flush := func() {
		if cl != nil {
			clusters = el(clusters, idCluster, cl)
		}
	}
	for loop := range loops {
		for _, f := range clip.frames {
			ms := int64(loop)*clip.durationMS + f.ms - clip.frames[0].ms
			if f.key || ms-clusterMS > math.MaxInt16 {
				flush()
				clusterMS = ms
				cues = append(cues, cue{ms, int64(len(clusters))})
				cl = elUint(nil, idTimestamp, uint64(ms))
			}
			block := []byte{0x81, 0, 0, 0} // track 1, relative time, flags
			binary.BigEndian.PutUint16(block[1:], uint16(int16(ms-clusterMS)))
			if f.key {
				block[3] = 0x80
			}
			cl = el(cl, idSimpleBlock, block, f.data)
		}
	}
	flush()

	var info []byte
	info = elUint(info, idTimestampScale, 1_000_000) // timestamps in ms
	dur := make([]byte, 8)
	binary.BigEndian.PutUint64(dur, math.Float64bits(float64(int64(loops)*clip.durationMS)))
	info = el(info, idDuration, dur)
	info = elString(info, idMuxingApp, "httpserver test")
	info = elString(info, idWritingApp, "httpserver test")
	info = el(nil, idInfo, info)

	var video []byte
	video = elUint(video, idPixelWidth, uint64(clip.width))
	video = elUint(video, idPixelHeight, uint64(clip.height))
	var track []byte
	track = elUint(track, idTrackNumber, 1)
	track = elUint(track, idTrackUID, 1)
	track = elUint(track, idTrackType, 1) // video
	track = elUint(track, idFlagLacing, 0)
	track = elString(track, idCodecID, "V_VP8")
	track = el(track, idVideo, video)
	tracks := el(nil, idTracks, el(nil, idTrackEntry, track))

	// Positions are relative to the start of the Segment's data and are
	// written in 8 bytes, so sizes can be known before positions.
	cuesFor := func(base int64) []byte {
		var points []byte
		for _, c := range cues {
			var pos []byte
			pos = elUint(pos, idCueTrack, 1)
			pos = elUintN(pos, idCueClusterPosition, uint64(base+c.off), 8)
			var p []byte
			p = elUint(p, idCueTime, uint64(c.ms))
			p = el(p, idCueTrackPositions, pos)
			points = el(points, idCuePoint, p)
		}
		return el(nil, idCues, points)
	}
	seekHeadFor := func(info, tracks, cues int64) []byte {
		var seeks []byte
		for _, s := range []struct {
			id  uint32
			pos int64
		}{{idInfo, info}, {idTracks, tracks}, {idCues, cues}} {
			var e []byte
			e = el(e, idSeekID, appendID(nil, s.id))
			e = elUintN(e, idSeekPosition, uint64(s.pos), 8)
			seeks = el(seeks, idSeek, e)
		}
		return el(nil, idSeekHead, seeks)
	}
	seekLen := int64(len(seekHeadFor(0, 0, 0)))
	infoPos := seekLen
	tracksPos := infoPos + int64(len(info))
	cuesPos := tracksPos + int64(len(tracks))
	clustersPos := cuesPos + int64(len(cuesFor(0)))
	seg := bytes.Join([][]byte{seekHeadFor(infoPos, tracksPos, cuesPos), info, tracks, cuesFor(clustersPos), clusters}, nil)

	var header []byte
	header = elUint(header, idEBMLVersion, 1)
	header = elUint(header, idEBMLReadVersion, 1)
	header = elUint(header, idEBMLMaxIDLength, 4)
	header = elUint(header, idEBMLMaxSizeLength, 8)
	header = elString(header, idDocType, "webm")
	header = elUint(header, idDocTypeVersion, 2)
	header = elUint(header, idDocTypeReadVersion, 2)
	return el(el(nil, idEBML, header), idSegment, seg)
}

// loadWebM makes a WebM of the test clip repeated until it is at least
// minBytes long, and returns it with its duration in seconds.
func loadWebM(ivf []byte, minBytes int) ([]byte, float64, error) {
	clip, err := parseIVF(ivf)
	if err != nil {
		return nil, 0, fmt.Errorf("testdata/clip.ivf: %w", err)
	}
	once := len(makeWebM(clip, 1))
	loops := max(1, (minBytes+once-1)/once)
	return makeWebM(clip, loops), float64(int64(loops)*clip.durationMS) / 1000, nil
}

func TestMakeWebM(t *testing.T) {
	ivf, err := os.ReadFile("testdata/clip.ivf")
	if err != nil {
		t.Fatal(err)
	}
	clip, err := parseIVF(ivf)
	if err != nil {
		t.Fatal(err)
	}
	var keys []int
	for i, f := range clip.frames {
		if f.key {
			keys = append(keys, i)
		}
	}
	if len(clip.frames) != 60 || clip.durationMS != 4000 || clip.width != 160 || clip.height != 120 || !slices.Equal(keys, []int{0, 15, 30, 45}) {
		t.Fatalf("clip: %d frames, %dms, %dx%d, key frames %v; want 60, 4000ms, 160x120, [0 15 30 45]",
			len(clip.frames), clip.durationMS, clip.width, clip.height, keys)
	}
	if got, want := appendSize(nil, 126), []byte{0xFE}; !bytes.Equal(got, want) {
		t.Errorf("appendSize(126) = % x, want % x", got, want)
	}
	if got, want := appendSize(nil, 127), []byte{0x40, 0x7F}; !bytes.Equal(got, want) { // 0xFF would be "unknown"
		t.Errorf("appendSize(127) = % x, want % x", got, want)
	}

	// When ffprobe is at hand, it reads what makeWebM wrote.
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		t.Skip("no ffprobe to check the file with")
	}
	name := filepath.Join(t.TempDir(), "v.webm")
	if err := os.WriteFile(name, makeWebM(clip, 3), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ffprobe, "-v", "error", "-count_frames", "-show_entries",
		"format=format_name,duration:stream=codec_name,width,height,nb_read_frames", "-of", "compact", name).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe: %v\n%s", err, out)
	}
	got := strings.TrimSpace(string(out))
	want := "stream|codec_name=vp8|width=160|height=120|nb_read_frames=180\nformat|format_name=matroska,webm|duration=12.000000"
	if got != want {
		t.Errorf("ffprobe says\n%s\nwant\n%s", got, want)
	}
}
