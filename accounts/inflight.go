package accounts

import (
	"context"
	"errors"
	"sync"
)

// ErrSettling: Settle was called (the process is about to end), so no new
// refresh, check or logout is sent.
var ErrSettling = errors.New("skyswitch is quitting: nothing more is sent to the server")

// inflight counts the calls under way that change a session on the server
// (a refresh rotates the refresh token, a logout revokes it) and whose
// answer the accounts file must record.
type inflight struct {
	mu       sync.Mutex
	n        int
	idle     chan struct{} // closed when n drops back to 0
	settling bool          // Settle was called: start no more
}

// begin marks such a call as under way, until done is called; once Settle
// was called it sends nothing and fails with ErrSettling.
func (m *Manager) begin() (done func(), err error) {
	f := &m.flights
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.settling {
		return nil, ErrSettling
	}
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.n--; f.n == 0 {
				close(f.idle)
			}
		})
	}, nil
}

// Settle is for a process about to end while account operations may still
// run in other goroutines (the switcher's commands after a quit): it waits
// until every refresh, check and logout already sent has landed and been
// saved, or until ctx ends. From its call on, none is sent any more; they
// fail with ErrSettling. Each call under way is bounded by the client's
// timeout, so a ctx a little longer than that lets them all finish.
func (m *Manager) Settle(ctx context.Context) error {
	f := &m.flights
	f.mu.Lock()
	f.settling = true
	idle := f.idle
	n := f.n
	f.mu.Unlock()
	if n == 0 {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
