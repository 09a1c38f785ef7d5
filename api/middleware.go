package api

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"time"

	"github.com/labstack/echo/v4"
)

// observeRequests logs every request at debug level once its answer is
// written, and counts it in the request metrics. It hands a handler's error
// to the error handler itself, so that the status it logs and counts is the
// one the client got.
func (s *Server) observeRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		took := time.Since(start)
		req := c.Request()
		status := c.Response().Status
		s.metrics.observe(req.Method, c.Path(), status, took)
		s.log.Debug().
			Str("method", req.Method).
			Str("path", req.URL.Path).
			Str("route", c.Path()).
			Int("status", status).
			Dur("latency", took).
			Msg("request")
		return nil
	}
}

// errPanic is what a recovered panic becomes: an internal error, so the
// client gets a 500 with no detail and the log gets the value and stack.
type errPanic struct {
	value any
	stack []byte
}

func (e *errPanic) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// recoverPanics turns a handler's panic into an error for the error handler,
// so one bad request cannot take the node down.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			if abort, ok := r.(error); ok && errors.Is(abort, http.ErrAbortHandler) {
				// net/http's way of aborting a response on purpose: let it.
				panic(r)
			}
			stack := make([]byte, 8<<10)
			stack = stack[:runtime.Stack(stack, false)]
			err = &errPanic{value: r, stack: stack}
		}()
		return next(c)
	}
}
