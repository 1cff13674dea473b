package httpserver_test

import (
	"crypto/tls"
	"errors"
	"log"

	"github.com/gohttpserver/httpserver"
)

// HTTPS on ":8443" (the default when Addr is empty), with the certificate
// chain and key in PEM files, TLS 1.3 only, and a handler that reads the
// connection's TLS state. Without an Output comment the example is
// compiled but not run: it needs the files and the port.
func ExampleServer_ListenAndServeTLS() {
	srv := &httpserver.Server{
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS13},
		Handler: httpserver.HandlerFunc(func(req *httpserver.Request) *httpserver.Response {
			// req.TLS is nil only without TLS; here it is the
			// handshake's state, shared by the connection's requests.
			return &httpserver.Response{StatusCode: 200, Message: "hello, " + req.TLS.ServerName + " over " + tls.VersionName(req.TLS.Version) + "\n"}
		}),
	}
	if err := srv.ListenAndServeTLS("cert.pem", "key.pem"); err != nil && !errors.Is(err, httpserver.ErrServerClosed) {
		log.Fatal(err)
	}
}
