package classify

// This file holds the one text matcher every rule shares: an Aho-Corasick
// automaton (Aho & Corasick, CACM 18(6), 1975) over lower-cased ASCII,
// compiled to a dense DFA on byte classes. Scanning a reply costs one table
// step per byte whatever the number of rules; upper-case ASCII letters are
// folded on the fly through the byte-class table, so nothing is copied or
// allocated. Bytes outside ASCII are matched as they are.

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
// empty); pattern i is reported as ID i.
func newMatcher(patterns []string) *matcher {
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

	// Trie with sparse children while building: a short list per node,
	// searched linearly (most nodes have one child), which builds several
	// times faster than a map per node; the build is part of the start-up
	// of every process that classifies.
	type kid struct {
		c uint8
		t uint32
	}
	type node struct {
		kids []kid
		fail uint32
		outs []uint32
	}
	nodes := []node{{}}
	for id, p := range patterns {
		s := uint32(0)
		for i := 0; i < len(p); i++ {
			c := m.classOf[p[i]]
			t := uint32(0)
			for _, k := range nodes[s].kids {
				if k.c == c {
					t = k.t
					break
				}
			}
			if t == 0 {
				t = uint32(len(nodes))
				nodes = append(nodes, node{})
				nodes[s].kids = append(nodes[s].kids, kid{c, t})
			}
			s = t
		}
		nodes[s].outs = append(nodes[s].outs, uint32(id))
	}

	// Breadth-first: failure links (the classic walk up the failure chain
	// on the sparse trie) and merged outputs.
	child := func(s uint32, c uint8) (uint32, bool) {
		for _, k := range nodes[s].kids {
			if k.c == c {
				return k.t, true
			}
		}
		return 0, false
	}
	queue := make([]uint32, 0, len(nodes))
	for _, k := range nodes[0].kids {
		queue = append(queue, k.t)
	}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		nodes[s].outs = append(nodes[s].outs, nodes[nodes[s].fail].outs...)
		for _, k := range nodes[s].kids {
			f := nodes[s].fail
			for {
				if t, ok := child(f, k.c); ok {
					nodes[k.t].fail = t
					break
				}
				if f == 0 {
					break // fail stays 0, the root
				}
				f = nodes[f].fail
			}
			queue = append(queue, k.t)
		}
	}
	// Renumber the states in breadth-first order, except that states where
	// a pattern ends come last: the shallow states, where a scan spends most
	// bytes, get neighbouring rows that stay in cache, and "a pattern ends
	// here" becomes a comparison with a threshold instead of a flag to mask
	// off on the scan's critical path.
	order := make([]uint32, 0, len(nodes))
	order = append(order, 0)
	for _, t := range queue {
		if len(nodes[t].outs) == 0 {
			order = append(order, t)
		}
	}
	firstOut := len(order)
	for _, t := range queue {
		if len(nodes[t].outs) > 0 {
			order = append(order, t)
		}
	}
	nc := m.nclass
	if uint64(len(nodes))*uint64(nc) >= 1<<32 {
		panic("classify: text matcher too large") // New limits patterns well below this
	}
	newID := make([]uint32, len(nodes))
	for k, old := range order {
		newID[old] = uint32(k)
	}
	// The dense DFA, built once in the new numbering and in breadth-first
	// order: a state's row starts as a copy of its failure state's row
	// (shallower, so already complete) and its own children override it.
	m.delta = make([]uint32, len(nodes)*nc)
	rowOf := func(old uint32) []uint32 { k := int(newID[old]) * nc; return m.delta[k : k+nc] }
	for _, k := range nodes[0].kids {
		rowOf(0)[k.c] = newID[k.t] * uint32(nc)
	}
	for _, s := range queue {
		row := rowOf(s)
		copy(row, rowOf(nodes[s].fail))
		for _, k := range nodes[s].kids {
			row[k.c] = newID[k.t] * uint32(nc)
		}
	}
	m.outStart = make([]uint32, len(nodes)+1)
	for k, old := range order {
		m.outStart[k] = uint32(len(m.out))
		m.out = append(m.out, nodes[old].outs...)
	}
	m.outStart[len(nodes)] = uint32(len(m.out))
	m.outThreshold = uint32(firstOut * nc)
	return m
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
