package wire_test

import (
	"fmt"
	"io"

	"github.com/gohttpserver/httpserver/internal/wire"
)

// A connection loop parses the head as bytes arrive, then reads the body
// from right after it.
func ExampleRequestHead_Parse() {
	var h wire.RequestHead
	buf := []byte("POST /upload?name=a HTTP/1.1\r\nHost: example.com\r\n")
	err := h.Parse(buf, wire.Limits{})
	fmt.Println(err == wire.ErrIncomplete)

	// More bytes arrived: append them and parse again from the start.
	buf = append(buf, "Content-Length: 5\r\n\r\nhello"...)
	if err := h.Parse(buf, wire.Limits{}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s query=%s host=%s\n", h.Method.In(buf), h.Path.In(buf), h.Query.In(buf), h.Authority.In(buf))
	fmt.Printf("body %q\n", buf[h.Len:h.Len+int(h.ContentLength)])
	// Output:
	// true
	// POST /upload query=name=a host=example.com
	// body "hello"
}

// A refused request carries the status to answer with.
func ExampleError() {
	var h wire.RequestHead
	err := h.Parse([]byte("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), wire.Limits{})
	if e, ok := err.(*wire.Error); ok {
		fmt.Println(e.Status, e.Reason)
	}
	// Output:
	// 501 transfer coding not implemented
}

// Decode hands back the body's data as sub-slices of its input, and stops
// exactly at the end of the body.
func ExampleChunkedDecoder_Decode() {
	in := []byte("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\nGET /next HTTP/1.1\r\n")
	var d wire.ChunkedDecoder
	for {
		n, data, err := d.Decode(in)
		if n == 0 && data == nil && err == nil {
			fmt.Println("need more input")
			return
		}
		in = in[n:]
		if len(data) > 0 {
			fmt.Printf("data %q\n", data)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Printf("left %q\n", in)
	// Output:
	// data "hello"
	// data " world"
	// left "GET /next HTTP/1.1\r\n"
}
