package wire

import (
	"bytes"
	"io"
)

// Chunked decoding limits. A chunk-size line (size and extensions) longer
// than maxChunkLine is refused: extensions are how "chunk-ext padding"
// attacks make a server buffer or scan without bound. Across a body, the
// bytes that are not data (size lines, extensions, CRLFs, trailers) may not
// exceed maxChunkOverhead and, past that allowance, may not exceed the data
// itself: a client sending one byte per chunk with kilobytes of extensions
// costs us CPU without moving the body forward.
const (
	maxChunkLine     = 4 << 10
	maxChunkOverhead = 16 << 10
	maxTrailerBytes  = 8 << 10
	maxTrailerFields = 32
)

var (
	errChunkSize     = &Error{Status: 400, Reason: "malformed chunk size"}
	errChunkExt      = &Error{Status: 400, Reason: "malformed chunk extension"}
	errChunkLine     = &Error{Status: 400, Reason: "chunk line too long"}
	errChunkCRLF     = &Error{Status: 400, Reason: "chunk data not followed by CRLF"}
	errChunkOverhead = &Error{Status: 400, Reason: "too much chunk framing"}
	errTrailer       = &Error{Status: 400, Reason: "malformed trailer section"}
	errTrailerSize   = &Error{Status: 431, Reason: "trailer section too large"}
)

const (
	chunkSize = iota
	chunkData
	chunkDataCRLF
	chunkTrailer
	chunkDone
)

// ChunkedDecoder decodes a chunked message body (RFC 9112 §7.1) without
// copying: it is given the bytes that have arrived and hands back the data
// as sub-slices of them. Trailer fields are checked for syntax and
// handed back one per Decode call, also as sub-slices (see Trailer). The
// zero value is ready to decode one body; Reset reuses it.
type ChunkedDecoder struct {
	state     uint8
	remaining int64 // data bytes left in the current chunk
	overhead  int64 // non-data bytes so far
	data      int64 // data bytes so far
	trailers  int   // trailer field lines so far
	trailerN  int   // bytes of the trailer section so far
	// tname and tvalue are the trailer field the last Decode call ended
	// with (sub-slices of its input), or nil.
	tname, tvalue []byte
}

// Reset prepares d for a new body.
func (d *ChunkedDecoder) Reset() { *d = ChunkedDecoder{} }

// InData reports whether the next bytes Decode reads are chunk data, so a
// caller may pass a shortened input to bound how much data it gets back.
// Outside data, Decode needs a whole framing line and must not be given a
// shortened input.
func (d *ChunkedDecoder) InData() bool { return d.state == chunkData }

// Done reports whether the last chunk and trailer section have been read.
func (d *ChunkedDecoder) Done() bool { return d.state == chunkDone }

// Trailer returns the trailer field (RFC 9112 §7.1.2) that the last
// Decode call consumed, its value without surrounding whitespace, or ok
// false if that call consumed none. Both are sub-slices of the input
// given to that call, valid as long as it is: a caller that keeps them
// copies them before it changes that input. Decode returns after each
// trailer field, so none is missed.
func (d *ChunkedDecoder) Trailer() (name, value []byte, ok bool) {
	return d.tname, d.tvalue, d.tname != nil
}

// Decode consumes framing and data from the start of in. It returns how
// many bytes of in it consumed and, if it reached chunk data, that data as
// a sub-slice of in (valid as long as in is). It stops after at most one
// run of data, so the data is always the last bytes consumed:
// in[n-len(data):n]. When it returns n == 0 and no data and a nil error,
// in does not yet hold a whole framing line: append more input and call
// again (in may then start with the same unconsumed bytes). It also
// returns after each trailer field it consumes (n > 0, no data, nil
// error: see Trailer). After the body ends it
// returns io.EOF, with n counting the final bytes consumed. Any other error
// is an *Error: the body is malformed and the connection must close.
func (d *ChunkedDecoder) Decode(in []byte) (n int, data []byte, err error) {
	d.tname, d.tvalue = nil, nil
	for {
		switch d.state {
		case chunkSize:
			cr, lerr := chunkLine(in[n:])
			if lerr != nil {
				return n, nil, lerr
			}
			if cr < 0 {
				// A size line that cannot become one is refused now, not
				// when its end (or 4 KiB) arrives.
				if n < len(in) && !isHexDigit(in[n]) {
					return n, nil, errChunkSize
				}
				return n, nil, nil
			}
			size, perr := parseChunkSize(in[n : n+cr])
			if perr != nil {
				return n, nil, perr
			}
			if err := d.addOverhead(cr + 2); err != nil {
				return n, nil, err
			}
			n += cr + 2
			if size == 0 {
				d.state = chunkTrailer
			} else {
				d.remaining = size
				d.state = chunkData
			}
		case chunkData:
			if n == len(in) {
				return n, nil, nil
			}
			k := len(in) - n
			if int64(k) > d.remaining {
				k = int(d.remaining)
			}
			data = in[n : n+k]
			n += k
			d.remaining -= int64(k)
			d.data += int64(k)
			if d.remaining == 0 {
				d.state = chunkDataCRLF
			}
			return n, data, nil
		case chunkDataCRLF:
			if len(in)-n < 2 {
				if len(in)-n == 1 && in[n] != '\r' {
					return n, nil, errChunkCRLF
				}
				return n, nil, nil
			}
			if in[n] != '\r' || in[n+1] != '\n' {
				return n, nil, errChunkCRLF
			}
			if err := d.addOverhead(2); err != nil {
				return n, nil, err
			}
			n += 2
			d.state = chunkSize
		case chunkTrailer:
			cr, lerr := chunkLine(in[n:])
			if lerr != nil {
				if lerr == errChunkLine {
					lerr = errTrailerSize
				}
				return n, nil, lerr
			}
			if cr < 0 {
				return n, nil, nil
			}
			// The trailer section has bounds of its own (RFC 9112 §7.1.2
			// allows trailers after any body, however long its framing),
			// checked before the framing ratio so an oversized trailer
			// section is reported as such.
			d.trailerN += cr + 2
			if cr > 0 {
				d.trailers++
			}
			if d.trailerN > maxTrailerBytes || d.trailers > maxTrailerFields {
				return n, nil, errTrailerSize
			}
			if cr == 0 {
				n += 2
				d.state = chunkDone
				return n, nil, io.EOF
			}
			line := in[n : n+cr+2]
			f, ferr := parseField(line, 0, cr)
			if ferr != nil {
				return n, nil, errTrailer
			}
			d.tname, d.tvalue = f.Name.In(line), f.Value.In(line)
			n += cr + 2
			return n, nil, nil
		case chunkDone:
			return n, nil, io.EOF
		}
	}
}

func (d *ChunkedDecoder) addOverhead(k int) *Error {
	d.overhead += int64(k)
	if d.overhead > maxChunkOverhead && d.overhead > d.data {
		return errChunkOverhead
	}
	return nil
}

// chunkLine returns the index of the CR ending the CRLF line at the start
// of b, or -1 if the line is incomplete. Bare LF and bare CR are refused:
// lenient chunk-line parsing is a documented smuggling vector (a proxy that
// accepts "\n" as a line end and one that does not disagree on where the
// next request starts).
func chunkLine(b []byte) (int, *Error) {
	lim := b
	if len(lim) > maxChunkLine {
		lim = lim[:maxChunkLine]
	}
	i := bytes.IndexByte(lim, '\n')
	if i < 0 {
		if bytes.IndexByte(lim, '\r') >= 0 && bytes.IndexByte(lim, '\r') < len(lim)-1 {
			return -1, errChunkSize
		}
		if len(b) >= maxChunkLine {
			return -1, errChunkLine
		}
		return -1, nil
	}
	if i == 0 || b[i-1] != '\r' {
		return -1, errChunkSize
	}
	if bytes.IndexByte(b[:i-1], '\r') >= 0 {
		return -1, errChunkSize
	}
	return i - 1, nil
}

// parseChunkSize parses chunk-size [ chunk-ext ] (RFC 9112 §7.1.1).
func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func parseChunkSize(ln []byte) (int64, *Error) {
	var size int64
	i := 0
	for ; i < len(ln); i++ {
		c := ln[i]
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			goto ext
		}
		if size>>59 != 0 {
			return 0, errChunkSize // would overflow int64
		}
		size = size<<4 | int64(v)
	}
ext:
	if i == 0 {
		return 0, errChunkSize
	}
	if err := checkChunkExt(ln[i:]); err != nil {
		return 0, err
	}
	return size, nil
}

// checkChunkExt validates
//
//	chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-val = token / quoted-string
//
// Extensions carry nothing we use; they are checked so that a malformed
// one cannot hide framing from us.
func checkChunkExt(b []byte) *Error {
	i := 0
	skipBWS := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
	}
	token := func() bool {
		s := i
		for i < len(b) && tchar[b[i]] {
			i++
		}
		return i > s
	}
	for {
		if i == len(b) {
			return nil
		}
		skipBWS()
		if i == len(b) || b[i] != ';' {
			return errChunkExt // trailing whitespace is not in the grammar
		}
		i++
		skipBWS()
		if !token() {
			return errChunkExt
		}
		j := i
		skipBWS()
		if i == len(b) || b[i] != '=' {
			i = j
			continue
		}
		i++
		skipBWS()
		if i < len(b) && b[i] == '"' {
			i++
			for {
				if i == len(b) {
					return errChunkExt
				}
				c := b[i]
				if c == '"' {
					i++
					break
				}
				if c == '\\' {
					i++
					if i == len(b) || !fieldValueChar[b[i]] {
						return errChunkExt
					}
				} else if !fieldValueChar[c] {
					return errChunkExt
				}
				i++
			}
		} else if !token() {
			return errChunkExt
		}
	}
}
