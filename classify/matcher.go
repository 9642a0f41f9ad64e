package classify

// This file holds the one text matcher every rule shares: an Aho-Corasick
// automaton (Aho & Corasick, CACM 18(6), 1975) over lower-cased ASCII,
// compiled to a dense DFA on byte classes. Scanning a reply costs one table
// step per byte whatever the number of rules; upper-case ASCII letters are
// folded on the fly through the byte-class table, so nothing is copied or
// allocated. Bytes outside ASCII are matched as they are.

import "slices"

// maxMatches is the number of distinct patterns one scan remembers. Replies
// that hit more distinct patterns than this keep the first maxMatches (in
// order of their end position); no real reply comes near it.
const maxMatches = 64

// matchList is the set of pattern IDs one scan found. It lives on the
// caller's stack.
type matchList struct {
	n   int
	ids [maxMatches]uint32
}

// add records pattern id unless it is already there or the list is full.
func (m *matchList) add(id uint32) {
	for i := 0; i < m.n; i++ {
		if m.ids[i] == id {
			return
		}
	}
	if m.n < maxMatches {
		m.ids[m.n] = id
		m.n++
	}
}

// has reports whether pattern id was found.
func (m *matchList) has(id uint32) bool {
	for i := 0; i < m.n; i++ {
		if m.ids[i] == id {
			return true
		}
	}
	return false
}

// matcher is an immutable Aho-Corasick automaton; safe for concurrent use.
type matcher struct {
	classOf [256]uint8 // byte -> class; 0 is "no pattern uses this byte"
	nclass  int
	// delta[s*nclass+class] is the next state t, stored pre-multiplied
	// (t*nclass), so the scan loop does one load and one add per byte: the
	// scan is bound by the latency of that load, so nothing else may sit on
	// the chain (a half-size uint16 table with a multiply measured slower).
	// States at or above outThreshold end a pattern.
	delta        []uint32
	outThreshold uint32
	outStart     []uint32 // outputs of state s are out[outStart[s]:outStart[s+1]]
	out          []uint32
}

// newMatcher compiles patterns (already lower-cased with ascii.Lower, none
// empty, no two equal); pattern i is reported as ID i. It checks the limits
// before it allocates what they bound: MaxPatternBytes, then the exact
// number of states (counted on the sorted patterns) against
// MaxMatcherCells, then the outputs against MaxMatcherOutputs. The table is
// built in place and renumbered in place, so compiling takes about the
// table's size in memory (4 bytes a cell), and time in proportion to it.
func newMatcher(patterns []string) (*matcher, error) {
	total := 0
	for _, p := range patterns {
		total += len(p)
		if total > MaxPatternBytes {
			return nil, &LimitError{Limit: "MaxPatternBytes", Max: MaxPatternBytes, Got: int64(total)}
		}
	}
	m := &matcher{}
	// Byte classes: one per distinct pattern byte, upper-case letters share
	// their lower-case letter's class.
	next := 1
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if m.classOf[p[i]] == 0 {
				m.classOf[p[i]] = uint8(next)
				next++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		m.classOf[c] = m.classOf[c+('a'-'A')]
	}
	m.nclass = next
	nc := m.nclass

	// The trie has one state per distinct prefix: on the sorted patterns,
	// 1 + the sum of what each adds past its common prefix with the one
	// before.
	sorted := slices.Clone(patterns)
	slices.Sort(sorted)
	states := 1
	for i, p := range sorted {
		lcp := 0
		if i > 0 {
			q := sorted[i-1]
			for lcp < len(p) && lcp < len(q) && p[lcp] == q[lcp] {
				lcp++
			}
		}
		states += len(p) - lcp
	}
	if cells := int64(states) * int64(nc); cells > MaxMatcherCells {
		return nil, &LimitError{Limit: "MaxMatcherCells", Max: MaxMatcherCells, Got: cells}
	}

	// The trie, built in the rows of the table itself: delta[s*nc+c] is the
	// child of s on class c, 0 for none (the root is nobody's child).
	delta := make([]uint32, states*nc)
	own := make([]uint32, states) // pattern ID+1 ending at each state, 0 for none
	n := uint32(1)
	for id, p := range patterns {
		s := uint32(0)
		for i := 0; i < len(p); i++ {
			cell := int(s)*nc + int(m.classOf[p[i]])
			if delta[cell] == 0 {
				delta[cell] = n
				n++
			}
			s = delta[cell]
		}
		own[s] = uint32(id) + 1
	}

	// Breadth-first: failure links and the dense DFA, filled in place (a
	// row is completed when its state is dequeued; the rows it reads, of
	// shallower states, are complete already), and the number of outputs
	// of each state (its own pattern and those of its failure state).
	fail := make([]uint32, states)
	nout := make([]uint32, states)
	queue := make([]uint32, 0, states)
	for c := 0; c < nc; c++ {
		if t := delta[c]; t != 0 {
			queue = append(queue, t)
		}
	}
	totalOut := int64(0)
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		f := fail[s]
		nout[s] = nout[f]
		if own[s] != 0 {
			nout[s]++
		}
		if totalOut += int64(nout[s]); totalOut > MaxMatcherOutputs {
			return nil, &LimitError{Limit: "MaxMatcherOutputs", Max: MaxMatcherOutputs, Got: totalOut}
		}
		row, frow := delta[int(s)*nc:int(s)*nc+nc], delta[int(f)*nc:int(f)*nc+nc]
		for c := range row {
			if t := row[c]; t != 0 {
				fail[t] = frow[c]
				queue = append(queue, t)
			} else {
				row[c] = frow[c]
			}
		}
	}
	// Renumber the states in breadth-first order, except that states where
	// a pattern ends come last: the shallow states, where a scan spends most
	// bytes, get neighbouring rows that stay in cache, and "a pattern ends
	// here" becomes a comparison with a threshold instead of a flag to mask
	// off on the scan's critical path.
	order := make([]uint32, 0, states)
	order = append(order, 0)
	for _, t := range queue {
		if nout[t] == 0 {
			order = append(order, t)
		}
	}
	firstOut := len(order)
	for _, t := range queue {
		if nout[t] > 0 {
			order = append(order, t)
		}
	}
	newID := make([]uint32, states)
	for k, old := range order {
		newID[old] = uint32(k)
	}
	m.outStart = make([]uint32, states+1)
	m.out = make([]uint32, 0, totalOut)
	for k, old := range order {
		m.outStart[k] = uint32(len(m.out))
		for s := old; s != 0; s = fail[s] {
			if own[s] != 0 {
				m.out = append(m.out, own[s]-1)
			}
		}
	}
	m.outStart[states] = uint32(len(m.out))
	// The table's targets become new state numbers, pre-multiplied; then
	// its rows move to their new places, one cycle of the permutation at a
	// time through one spare row.
	for i, t := range delta {
		delta[i] = newID[t] * uint32(nc)
	}
	spare := make([]uint32, nc)
	done := make([]bool, states)
	for k := range order {
		if done[k] || int(order[k]) == k {
			done[k] = true
			continue
		}
		copy(spare, delta[k*nc:k*nc+nc])
		for q := k; ; {
			src := int(order[q])
			done[q] = true
			if src == k {
				copy(delta[q*nc:q*nc+nc], spare)
				break
			}
			copy(delta[q*nc:q*nc+nc], delta[src*nc:src*nc+nc])
			q = src
		}
	}
	m.delta = delta
	m.outThreshold = uint32(firstOut * nc)
	return m, nil
}

// scan adds to ml the IDs of all patterns found in text, ignoring ASCII case.
func (m *matcher) scan(text string, ml *matchList) {
	if m == nil || len(m.delta) == 0 {
		return
	}
	nc := uint32(m.nclass)
	delta, classOf, thr := m.delta, &m.classOf, m.outThreshold
	s := uint32(0)
	for i := 0; i < len(text); i++ {
		s = delta[s+uint32(classOf[text[i]])]
		if s >= thr {
			st := s / nc
			for _, id := range m.out[m.outStart[st]:m.outStart[st+1]] {
				ml.add(id)
			}
		}
	}
}

// states returns the number of automaton states (for tests and docs).
func (m *matcher) states() int { return len(m.outStart) - 1 }
