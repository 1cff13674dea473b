package metrics

import (
	"github.com/gohttpserver/httpserver"
	"github.com/gohttpserver/httpserver/h2"
)

// The label types below turn what a request says into one of a few
// values known in advance. A metric labelled with a raw method, status or
// path would let a client create a new series with every request it makes
// (a time-series database holds every series it has seen, so that is a
// memory attack on the monitoring, not only on the server); each of these
// has at most ten values, so an array indexed by them (NumMethods ×
// NumClasses × NumProtos cells) holds every series a metric can have.

// Method is a request method as a bounded label: one of the nine methods
// of RFC 9110 and RFC 5789 (PATCH), or MethodOther for any other, as the
// OpenTelemetry semantic conventions say for http.request.method.
type Method uint8

const (
	MethodOther Method = iota // any method but the nine below: "_OTHER"
	MethodGet
	MethodHead
	MethodPost
	MethodPut
	MethodDelete
	MethodConnect
	MethodOptions
	MethodTrace
	MethodPatch

	// NumMethods is the number of Method values, for arrays indexed by
	// Method.
	NumMethods
)

var methodNames = [NumMethods]string{"_OTHER", "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

// MethodOf returns the Method for a request's Verb. Methods are
// case-sensitive (RFC 9110 §9.1): "get" is MethodOther.
func MethodOf(verb string) Method {
	switch verb {
	case "GET":
		return MethodGet
	case "HEAD":
		return MethodHead
	case "POST":
		return MethodPost
	case "PUT":
		return MethodPut
	case "DELETE":
		return MethodDelete
	case "CONNECT":
		return MethodConnect
	case "OPTIONS":
		return MethodOptions
	case "TRACE":
		return MethodTrace
	case "PATCH":
		return MethodPatch
	}
	return MethodOther
}

// String returns the method's name, or "_OTHER".
func (m Method) String() string {
	if m < NumMethods {
		return methodNames[m]
	}
	return methodNames[MethodOther]
}

// Class is the class of a response's status code (RFC 9110 §15): its
// first digit, the bounded label that stands for the code.
type Class uint8

const (
	ClassNone Class = iota // no status was sent (the connection failed first): "none"
	Class1xx               // informational: a 101 that switched protocols
	Class2xx               // successful
	Class3xx               // redirection
	Class4xx               // client error
	Class5xx               // server error

	// NumClasses is the number of Class values, for arrays indexed by
	// Class.
	NumClasses
)

var classNames = [NumClasses]string{"none", "1xx", "2xx", "3xx", "4xx", "5xx"}

// ClassOf returns the Class of status, an AccessEntry's Status: ClassNone
// for 0 (and for anything outside 100..599, which the server never sends).
func ClassOf(status int) Class {
	if status < 100 || status > 599 {
		return ClassNone
	}
	return Class(status / 100)
}

// String returns "1xx" to "5xx", or "none".
func (c Class) String() string {
	if c < NumClasses {
		return classNames[c]
	}
	return classNames[ClassNone]
}

// Proto is the protocol a request came in on.
type Proto uint8

const (
	ProtoUnknown Proto = iota // a head refused before it parsed: ""
	ProtoHTTP09               // "HTTP/0.9"
	ProtoHTTP10               // "HTTP/1.0"
	ProtoHTTP11               // "HTTP/1.1"
	ProtoHTTP2                // "HTTP/2", served by package h2

	// NumProtos is the number of Proto values, for arrays indexed by
	// Proto.
	NumProtos
)

var (
	protoNames    = [NumProtos]string{"", "HTTP/0.9", "HTTP/1.0", "HTTP/1.1", "HTTP/2"}
	protoVersions = [NumProtos]string{"", "0.9", "1.0", "1.1", "2"}
)

// ProtoOf returns the protocol req came in on: ProtoHTTP2 for a request
// package h2 serves (see h2.Proto), else the Proto of req.Version.
func ProtoOf(req *httpserver.Request) Proto {
	// A request read from one of the Server's connections has a
	// LocalAddr; one that package h2 built has none. Asking h2.Proto
	// only then spares HTTP/1 requests the string it would build.
	if req.LocalAddr() == nil && h2.Proto(req) == "HTTP/2.0" {
		return ProtoHTTP2
	}
	switch req.Version {
	case "1.1":
		return ProtoHTTP11
	case "1.0":
		return ProtoHTTP10
	case "0.9":
		return ProtoHTTP09
	}
	return ProtoUnknown
}

// String returns the protocol as "HTTP/1.1", "HTTP/2" and so on, or ""
// for ProtoUnknown.
func (p Proto) String() string {
	if p < NumProtos {
		return protoNames[p]
	}
	return ""
}

// Version returns the protocol's version as OpenTelemetry's
// network.protocol.version has it: "1.0", "1.1", "2" (and "0.9"), or ""
// for ProtoUnknown.
func (p Proto) Version() string {
	if p < NumProtos {
		return protoVersions[p]
	}
	return ""
}
