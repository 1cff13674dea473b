package httpserver

import (
	"log/slog"
	"os"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// bodyEncoder is the one body encoder: every body source (Message, Body,
// Stream, files) goes through it, and it frames the bytes as the decision
// (wire.DecideFraming) says. It belongs to the connection's goroutine.
type bodyEncoder struct {
	w         *writer
	mode      wire.Mode
	remaining int64 // ModeLength: bytes still owed
	sent      int64 // body bytes sent, framing excluded (for the access log)
}

// start readies the encoder for a body framed as fr. Its writer is set
// once per reqState use (conn.acquireState).
func (e *bodyEncoder) start(fr wire.Framing) {
	e.mode, e.remaining, e.sent = fr.Mode, fr.ContentLength, 0
}

// admit checks n more body bytes against the framing: ErrBodyNotAllowed
// for a response without a body, ErrLengthMismatch past a Content-Length.
func (e *bodyEncoder) admit(n int) error {
	switch e.mode {
	case wire.ModeNone:
		return ErrBodyNotAllowed
	case wire.ModeLength:
		if int64(n) > e.remaining {
			return ErrLengthMismatch
		}
		e.remaining -= int64(n)
	}
	e.sent += int64(n)
	return nil
}

// write sends body bytes.
func (e *bodyEncoder) write(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	if err := e.admit(len(p)); err != nil {
		return err
	}
	if e.mode == wire.ModeChunked {
		if err := e.chunkHeader(len(p)); err != nil {
			return err
		}
		if err := e.w.write(p); err != nil {
			return err
		}
		return e.w.writeString(wire.ChunkEnd)
	}
	return e.w.write(p)
}

// writeString is write for a string, without converting it.
func (e *bodyEncoder) writeString(s string) error {
	if len(s) == 0 {
		return nil
	}
	if err := e.admit(len(s)); err != nil {
		return err
	}
	if e.mode == wire.ModeChunked {
		if err := e.chunkHeader(len(s)); err != nil {
			return err
		}
		if err := e.w.writeString(s); err != nil {
			return err
		}
		return e.w.writeString(wire.ChunkEnd)
	}
	return e.w.writeString(s)
}

func (e *bodyEncoder) chunkHeader(n int) error {
	var hdr [20]byte
	return e.w.write(wire.AppendChunkHeader(hdr[:0], n))
}

// canSendFile reports whether sendFile may be used: a framing that adds
// nothing around the bytes, on a connection that can send a file
// zero-copy.
func (e *bodyEncoder) canSendFile() bool {
	switch e.mode {
	case wire.ModeLength, wire.ModeClose, wire.ModeRaw:
		return e.w.canSendFile()
	}
	return false
}

// sendFile sends n bytes of f zero-copy (see writer.sendFile); the caller
// has checked canSendFile and, for ModeLength, that n is the length owed.
// A file that shrank leaves the length unmet, which finish reports.
func (e *bodyEncoder) sendFile(f *os.File, n int64) error {
	k, err := e.w.sendFile(f, n)
	e.sent += k
	if e.mode == wire.ModeLength {
		e.remaining -= k
	}
	return err
}

// finish ends the body: the last chunk of a chunked body, with the
// trailer fields (nil for none; fields that may not be trailers are
// dropped and logged to log). It returns how many bytes a Content-Length
// body is short of its length (0 when it is complete).
func (e *bodyEncoder) finish(trailers *Header, log *slog.Logger) (short int64, err error) {
	switch e.mode {
	case wire.ModeChunked:
		if trailers == nil {
			return 0, e.w.writeString(wire.LastChunk)
		}
		e.w.appendTo(func(b []byte) []byte {
			b = append(b, "0\r\n"...)
			for name, value := range trailers.All() {
				if !wire.IsToken(name) || !wire.IsFieldValue(value) || !wire.AllowedTrailer(name) {
					log.Error("httpserver: trailer field dropped", "field", name)
					continue
				}
				b = wire.AppendField(b, name, value)
			}
			return append(b, "\r\n"...)
		})
		return 0, e.w.err
	case wire.ModeLength:
		return e.remaining, e.w.err
	}
	return 0, e.w.err
}
