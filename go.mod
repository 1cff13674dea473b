module github.com/gohttpserver/httpserver

go 1.26
