// Package bridge lets the library's own subpackages (nethttp,
// httpservertest) reach what package httpserver keeps unexported, without
// making it public API. Package httpserver sets the hooks in its init;
// nothing outside this module can import this package.
package bridge

// NewStreamWriter returns a *httpserver.StreamWriter (as an any, to avoid
// an import cycle) whose methods forward to target. target must have the
// methods of httpserver's streamTarget (stream.go): a value lacking one
// makes NewStreamWriter panic.
var NewStreamWriter func(target any) any

// NoQueryDict is implemented by a Handler that never reads
// Request.QueryDict (nethttp.FromHTTP's: net/http handlers parse
// URL.RawQuery themselves). A Server whose Handler is one, and that has
// no AccessLog to show the Request to, does not parse the query.
type NoQueryDict interface{ NoQueryDict() }
