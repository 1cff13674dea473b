package websocket

import (
	"errors"
	"strconv"
)

// A StatusCode is the code of a close frame (RFC 6455 §7.4).
type StatusCode uint16

// The close codes of RFC 6455 §7.4.1 and the IANA registry. 1005 and 1006
// never go on the wire: they name a close frame without a code, and a
// connection lost without a close frame.
const (
	StatusNormalClosure      StatusCode = 1000 // the purpose of the connection is fulfilled
	StatusGoingAway          StatusCode = 1001 // the server is shutting down, or a browser leaves the page
	StatusProtocolError      StatusCode = 1002 // the peer broke RFC 6455 (or RFC 7692)
	StatusUnsupportedData    StatusCode = 1003 // a message of a type the endpoint does not take
	StatusNoStatusReceived   StatusCode = 1005 // a close frame without a code (never sent)
	StatusAbnormalClosure    StatusCode = 1006 // no close frame at all (never sent)
	StatusInvalidPayload     StatusCode = 1007 // a text message that is not UTF-8, or a compressed one that does not inflate
	StatusPolicyViolation    StatusCode = 1008 // a message that breaks the application's rules
	StatusMessageTooBig      StatusCode = 1009 // a message over the receiver's limit
	StatusMandatoryExtension StatusCode = 1010 // (client only) the server did not negotiate an extension it needs
	StatusInternalError      StatusCode = 1011 // the server failed (its handler panicked)
	StatusServiceRestart     StatusCode = 1012 // the server is restarting
	StatusTryAgainLater      StatusCode = 1013 // the server is overloaded
)

// valid reports whether code may appear in a close frame, sent or
// received: the codes RFC 6455 §7.4 and the IANA registry define for the
// wire (1000-1003, 1007-1014), and the ranges for libraries and
// applications (3000-4999). A close frame with any other code is a
// protocol error (§7.4.2).
func (code StatusCode) valid() bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// String returns the code's number and, for the codes RFC 6455 defines,
// its name: "1000 (normal closure)".
func (code StatusCode) String() string {
	s := strconv.Itoa(int(code))
	if name := statusNames[code]; name != "" {
		s += " (" + name + ")"
	}
	return s
}

var statusNames = map[StatusCode]string{
	StatusNormalClosure:      "normal closure",
	StatusGoingAway:          "going away",
	StatusProtocolError:      "protocol error",
	StatusUnsupportedData:    "unsupported data",
	StatusNoStatusReceived:   "no status",
	StatusAbnormalClosure:    "abnormal closure",
	StatusInvalidPayload:     "invalid payload data",
	StatusPolicyViolation:    "policy violation",
	StatusMessageTooBig:      "message too big",
	StatusMandatoryExtension: "mandatory extension",
	StatusInternalError:      "internal error",
	StatusServiceRestart:     "service restart",
	StatusTryAgainLater:      "try again later",
}

// A CloseError is the close frame the peer sent: reads fail with it once
// the peer has closed the connection (the server has answered with its
// own close frame by then, and closed the TCP connection). Code is
// StatusNoStatusReceived for a close frame without a code.
type CloseError struct {
	Code   StatusCode
	Reason string
}

func (e *CloseError) Error() string {
	s := "websocket: closed by the peer with " + e.Code.String()
	if e.Reason != "" {
		s += ": " + strconv.Quote(e.Reason)
	}
	return s
}

// Errors of a Conn. Compare with errors.Is: the ones a read returns for the
// peer's faults come wrapped with the detail.
var (
	// ErrClosed is returned by reads and writes once the connection is
	// closed, or closing: after Close, after this side sent its close
	// frame (a write), and after the connection failed.
	ErrClosed = errors.New("websocket: connection closed")

	// ErrProtocol is wrapped by the read error when the peer broke the
	// protocol (an unmasked frame, a reserved opcode or bit, a control
	// frame fragmented or over 125 bytes, a continuation out of place, a
	// malformed close frame): the server sent a close frame with
	// StatusProtocolError (1002) and closed the connection.
	ErrProtocol = errors.New("websocket: protocol error")

	// ErrInvalidPayload is wrapped by the read error when a text message
	// (or a close reason) is not UTF-8, or a compressed message does not
	// inflate: the server sent StatusInvalidPayload (1007) and closed the
	// connection.
	ErrInvalidPayload = errors.New("websocket: invalid message payload")

	// ErrMessageTooBig is wrapped by the read error when a message
	// exceeds Options.MaxMessageSize (after decompression): the server
	// sent StatusMessageTooBig (1009) and closed the connection.
	ErrMessageTooBig = errors.New("websocket: message too big")
)
