package inventory

// NewFixture is a set for tests of rules: its scopes hold only what the test
// Puts in them, a kind not put fails with NotCollectedError, and nothing is
// ever read from AWS or disk.
func NewFixture() *Set {
	return &Set{snapshot: &Snapshot{fixture: true, files: map[string]*scopeFile{}}, scopes: map[[2]string]*Scope{}}
}

// Put makes items (and err, when the read is to fail part-way) the content
// of kind k in s, as if it had been read.
func Put[T any](s *Scope, k *Kind[T], items []T, err error) {
	e := &entry{done: make(chan struct{}), items: items, err: err}
	close(e.done)
	s.mu.Lock()
	s.entries[k.Name] = e
	s.mu.Unlock()
}
