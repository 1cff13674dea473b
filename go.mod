module github.com/gohttpserver/httpserver

go 1.26

require (
	github.com/andybalholm/brotli v1.3.0
	github.com/klauspost/compress v1.20.4
)
