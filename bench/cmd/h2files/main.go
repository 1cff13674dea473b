// Command h2files serves a directory with net/http's FileServer over
// HTTPS, HTTP/2 negotiated by ALPN as ServeTLS does by default: the peer
// of cmd/httpserver in h2load.sh.
//
//	h2files -addr 127.0.0.1:0 -cert cert.pem -key key.pem DIR
//
// It prints "listening on ADDR" on stderr once it listens, and stops on
// SIGINT or SIGTERM.
package main

import (
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	cert := flag.String("cert", "", "PEM certificate file")
	key := flag.String("key", "", "PEM key file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("h2files: ")
	if flag.NArg() != 1 || *cert == "" || *key == "" {
		log.Fatal("usage: h2files [-addr host:port] -cert file -key file DIR")
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Handler:  http.FileServer(http.Dir(flag.Arg(0))),
		ErrorLog: log.New(io.Discard, "", 0), // as the command with -log off
	}
	go func() {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		<-sigs
		srv.Close()
	}()
	log.Printf("listening on %s", l.Addr())
	if err := srv.ServeTLS(l, *cert, *key); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
