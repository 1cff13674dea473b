package metrics

import (
	"sync"

	"github.com/gohttpserver/httpserver"
)

// inflight is the set of requests that reached Instrument's Handler and
// whose AccessLog entry has not come yet: it answers Done.Started.
//
// Counting Start calls and Done calls alone would not do: a few requests
// end without having started (Done.Started's doc lists them), and a
// gauge of requests in flight made of the two counts would drift down by
// one with each, for good. So the set is of the requests themselves, by
// identity (the AccessEntry holds the *Request the Handler was given,
// for HTTP/1 and HTTP/2 alike).
//
// It is split in shards, picked by the client's port, so that requests on
// different connections rarely take the same lock; each shard is a short
// slice (the requests in flight, divided by the shard count), scanned on
// removal, whose storage is kept: after the first requests, adding and
// removing allocate nothing.
type inflight struct {
	shards [inflightShards]inflightShard
}

const inflightShards = 64 // a power of two

type inflightShard struct {
	mu   sync.Mutex
	reqs []*httpserver.Request // guarded by mu
	_    [32]byte              // one shard per 64-byte cache line
}

func (f *inflight) shard(req *httpserver.Request) *inflightShard {
	return &f.shards[uint(req.RemotePort)%inflightShards]
}

func (f *inflight) add(req *httpserver.Request) {
	s := f.shard(req)
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
}

// remove removes req and reports whether it was there.
func (f *inflight) remove(req *httpserver.Request) bool {
	s := f.shard(req)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.reqs) - 1; i >= 0; i-- {
		if s.reqs[i] == req {
			last := len(s.reqs) - 1
			s.reqs[i] = s.reqs[last]
			s.reqs[last] = nil // the storage must not keep the Request alive
			s.reqs = s.reqs[:last]
			return true
		}
	}
	return false
}

// len returns the number of requests in the set.
func (f *inflight) len() int {
	n := 0
	for i := range f.shards {
		s := &f.shards[i]
		s.mu.Lock()
		n += len(s.reqs)
		s.mu.Unlock()
	}
	return n
}
