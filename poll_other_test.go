//go:build !linux

package httpserver

func (s *Server) idleWorkers() int { return 0 }
