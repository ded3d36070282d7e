package auth

// WaitRefresh waits for the refresh in flight, if any, to land: its answer
// applied to the session and OnEvent told. A caller that gave up on a
// refresh (its context ended) but must record what the server did, since
// the server may have rotated the token, calls it before reading Data. A
// refresh in flight ends within the client's timeout.
func (s *Session) WaitRefresh() {
	s.mu.Lock()
	f := s.flight
	s.mu.Unlock()
	if f != nil {
		<-f.done
	}
}
