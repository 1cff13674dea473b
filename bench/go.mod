module github.com/gohttpserver/httpserver/bench

go 1.26.0

replace github.com/gohttpserver/httpserver => ../

// fasthttp v1.77.0 asks for go-brrr v1.3.0, which the module proxy here
// does not serve; v1.0.1 builds and is API-compatible for what fasthttp uses.
replace github.com/molecule-man/go-brrr => github.com/molecule-man/go-brrr v1.0.1

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/gohttpserver/httpserver v0.0.0-00010101000000-000000000000
	github.com/klauspost/compress v1.20.4
	github.com/valyala/fasthttp v1.77.0
)

require (
	github.com/andybalholm/brotli v1.3.0 // indirect
	github.com/molecule-man/go-brrr v1.3.0 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
)
