package classify

// This file holds the precompiled form of the built-in rules' matcher: the
// automaton newMatcher builds from their phrases, written once to
// matcher_default.bin (go generate) and embedded in the binary. A program
// whose first classification would spend some 3 ms of CPU and 2 MB of fresh
// memory building the table (more in a new process, where every page of it
// is a fault) maps it instead: its pages come in from the binary as the scan
// touches them, and only those it touches.
//
// The table is used only for the exact phrase list it was built from (the
// SHA-256 of the list is in its header), so a Classifier with other rules,
// or a binary built after the rules changed without go generate, builds its
// matcher as before. TestMatcherTableIsCurrent fails when the file is stale.

import (
	"crypto/sha256"
	_ "embed" // the precompiled table
	"encoding/binary"
	"unsafe"
)

//go:generate go test -run ^TestMatcherTableIsCurrent$ -update-matcher-table .

//go:embed matcher_default.bin
var defaultMatcherTable string

// The table's layout, little-endian throughout: the header, then classOf
// (256 bytes), then delta, outStart and out as uint32 arrays. The header
// and classOf are multiples of 8 bytes, so delta starts 8-aligned in the
// file.
const (
	tableMagic  = "bkmatch1"
	tableHeader = 8 + sha256.Size + 5*4 + 4 // magic, sum, nclass, threshold, three lengths, padding
)

// patternsSum is the SHA-256 of patterns, each followed by a NUL byte (no
// pattern contains one: they come from rule text, where NUL never matches
// anything real, and two lists that differ give different inputs).
func patternsSum(patterns []string) [sha256.Size]byte {
	h := sha256.New()
	for _, p := range patterns {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// appendTable appends m, built from the patterns with the given sum, in
// the table layout.
func appendTable(b []byte, m *matcher, sum [sha256.Size]byte) []byte {
	b = append(b, tableMagic...)
	b = append(b, sum[:]...)
	for _, v := range []int{m.nclass, int(m.outThreshold), len(m.delta), len(m.outStart), len(m.out), 0} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	b = append(b, m.classOf[:]...)
	for _, a := range [][]uint32{m.delta, m.outStart, m.out} {
		for _, v := range a {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
	}
	return b
}

// tableMatcher returns the matcher stored in table when it was built from
// exactly these patterns and is well formed, nil otherwise. On a
// little-endian machine, where the file's 4-byte alignment holds, the
// arrays are the embedded bytes themselves (read-only memory: the matcher
// never writes them); elsewhere they are decoded into fresh slices.
func tableMatcher(table string, patterns []string) *matcher {
	if len(table) < tableHeader+256 || table[:len(tableMagic)] != tableMagic {
		return nil
	}
	sum := patternsSum(patterns)
	if table[len(tableMagic):len(tableMagic)+sha256.Size] != string(sum[:]) {
		return nil
	}
	hdr := table[len(tableMagic)+sha256.Size:]
	u32 := func(i int) int { return int(binary.LittleEndian.Uint32([]byte(hdr[4*i : 4*i+4]))) }
	nclass, thr, nDelta, nStart, nOut := u32(0), u32(1), u32(2), u32(3), u32(4)
	body := table[tableHeader+256:]
	if nclass <= 0 || nclass > 256 || nStart < 2 || nDelta != (nStart-1)*nclass ||
		int64(len(body)) != 4*(int64(nDelta)+int64(nStart)+int64(nOut)) {
		return nil
	}
	m := &matcher{nclass: nclass, outThreshold: uint32(thr)}
	copy(m.classOf[:], table[tableHeader:tableHeader+256])
	m.delta = tableArray(body[:4*nDelta])
	m.outStart = tableArray(body[4*nDelta : 4*(nDelta+nStart)])
	m.out = tableArray(body[4*(nDelta+nStart):])
	// The table is part of the source, as trusted as the code; what is
	// checked is what a stale or cut file would get wrong: the lengths
	// above, and that every output range lies in out and names a pattern.
	// The transitions are not walked: that would read every page of the
	// table, where a scan reads only the rows of the states it visits.
	for i := 1; i < len(m.outStart); i++ {
		if m.outStart[i] < m.outStart[i-1] || int(m.outStart[i]) > nOut {
			return nil
		}
	}
	for _, id := range m.out {
		if int(id) >= len(patterns) {
			return nil
		}
	}
	return m
}

// tableArray is the uint32 array in b (little-endian): b itself where the
// machine is little-endian and b is 4-aligned, a decoded copy otherwise.
func tableArray(b string) []uint32 {
	if len(b) == 0 {
		return nil
	}
	p := unsafe.StringData(b)
	if littleEndian && uintptr(unsafe.Pointer(p))%4 == 0 {
		return unsafe.Slice((*uint32)(unsafe.Pointer(p)), len(b)/4)
	}
	a := make([]uint32, len(b)/4)
	for i := range a {
		a[i] = binary.LittleEndian.Uint32([]byte(b[4*i : 4*i+4]))
	}
	return a
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()
