//go:build !unix

package httpserver

import (
	"errors"
	"net"
	"os"
)

// Without Unix descriptors there is nothing to inherit: the variables
// are still read (and unset), and a socket said to be passed is an error.

func setCloexec(int) error { return errors.ErrUnsupported }

func closeFD(int) {}

func fileListener(int, string) (net.Listener, error) { return nil, errors.ErrUnsupported }

func listenerFile(net.Listener) (*os.File, error) { return nil, errors.ErrUnsupported }
