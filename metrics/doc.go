// Package metrics instruments an httpserver.Server for metrics and
// tracing, without tying it to a metrics library: Instrument tells
// Observers of each request as its handler starts and as its response
// ends, with the labels a metric may carry already reduced to bounded
// sets (Method, Class, Proto, and Route, bounded by the Mux patterns).
// Package metrics/prom is the Observer that exports Prometheus metrics;
// an OpenTelemetry integration is another (see below).
//
//	c := prom.NewCollector(srv)
//	metrics.Instrument(srv, c) // before Serve and h2.Configure
//
// What an Observer sees, per request:
//
//   - Start, on the request's goroutine just before its handler runs:
//     the Request (method, path, headers, TLS state, remote address), its
//     Method and Proto;
//   - Done, when its response has ended: the Server's AccessEntry
//     (status, bytes received and sent, duration, error), the same
//     labels, the Class of the status and the Route (the Mux pattern
//     that served it, without its method), and whether Start was called
//     for it. Heads the server refused before they parsed come to Done
//     alone, with a nil Request and the status of the refusal (400, 408,
//     414, 431, 501, 505).
//
// What it does not see per request, it reads when metrics are collected:
// Server.Stats (connections idle, parked, active and taken over, the
// listeners, readiness); a gauge of requests in flight counts up at Start
// and down at a Done that was Started.
//
// # OpenTelemetry
//
// An Observer maps onto the HTTP semantic conventions directly. For the
// metrics, Done records http.server.request.duration (Entry.Duration in
// seconds; DurationBuckets are the advised boundaries) with
// http.request.method (Method.String, "_OTHER" included),
// http.response.status_code (Entry.Status), network.protocol.version
// (Proto.Version), http.route (Route, when not "") and error.type (from
// Entry.Err); Start and Done move
// http.server.active_requests; Entry.Bytes is
// http.server.response.body.size (Entry.BytesIn counts the request's head
// too, so its body size is Request.ContentLength when declared). For spans, Start opens one, keyed by Start.Request (Done's
// Entry.Request is the same pointer), and Done ends it, its status and
// sizes set; Done without a Start (Started false) is a request that
// never reached the handler: a span from now less Entry.Duration to now.
// A span the handler's own spans should descend from has to be in the
// request's context, which an Observer cannot change: put it there with
// a Handler of your own in front of the others (req.WithContext), and
// end it in Done.
//
// Keep raw values out of metric labels: a path, a query or a header as a
// label makes a new series for every value a client cares to send.
package metrics
