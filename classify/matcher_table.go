package classify

// This file holds the precompiled form of the built-in automata: the
// matcher newMatcher builds from the built-in rules' phrases and the
// meaning layer's vocabulary automaton (meaning.go), written once to
// matcher_default.bin and vocab_default.bin (go generate) and embedded in
// the binary. A program whose first classification would spend some 3 ms
// of CPU and 2 MB of fresh memory building the table (more in a new
// process, where every page of it is a fault) maps it instead: its pages
// come in from the binary as the scan touches them, and only those it
// touches.
//
// A table is used only for the exact phrase list it was built from (the
// SHA-256 of the list is in its header), so a Classifier with other rules,
// or a binary built after the rules changed without go generate, builds its
// matcher as before. TestMatcherTableIsCurrent and TestVocabTableIsCurrent
// fail when a file is stale.

import (
	"crypto/sha256"
	_ "embed" // the precompiled table
	"encoding/binary"
	"unsafe"
)

//go:generate go test -run ^Test(Matcher|Vocab)TableIsCurrent$ -update-matcher-table .

//go:embed matcher_default.bin
var defaultMatcherTable string

//go:embed vocab_default.bin
var defaultVocabTable string

// The table's layout, little-endian throughout: the header, then classOf
// (256 bytes), then delta (uint32 pre-multiplied targets, or for the
// vocabulary uint16 state numbers padded to 4 bytes), outStart and out as
// uint32 arrays. The header and classOf are multiples of 8 bytes, so delta
// starts 8-aligned in the file.
const (
	tableMagic  = "bkmatch1"
	tableHeader = 8 + sha256.Size + 6*4 // magic, sum, nclass, threshold, three lengths, delta width
)

// patternsSum is the SHA-256 of patterns, each preceded by its length
// (uvarint), so that two different lists never hash the same input.
func patternsSum(patterns []string) [sha256.Size]byte {
	n := 0
	for _, p := range patterns {
		n += binary.MaxVarintLen64 + len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range patterns {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return sha256.Sum256(b)
}

// appendTable appends m, built from the patterns with the given sum, in
// the table layout. With delta16 (the vocabulary's uint16 table, state
// numbers) in place of m.delta, thr is its threshold state; otherwise thr
// is m.outThreshold.
func appendTable(b []byte, m *matcher, delta16 []uint16, thr uint32, sum [sha256.Size]byte) []byte {
	nDelta, width := len(m.delta), 4
	if delta16 != nil {
		nDelta, width = len(delta16), 2
	}
	b = append(b, tableMagic...)
	b = append(b, sum[:]...)
	for _, v := range []int{m.nclass, int(thr), nDelta, len(m.outStart), len(m.out), width} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	b = append(b, m.classOf[:]...)
	if delta16 != nil {
		for _, v := range delta16 {
			b = binary.LittleEndian.AppendUint16(b, v)
		}
		if len(delta16)%2 == 1 {
			b = append(b, 0, 0)
		}
	} else {
		for _, v := range m.delta {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
	}
	for _, a := range [][]uint32{m.outStart, m.out} {
		for _, v := range a {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
	}
	return b
}

// tableMatcher returns the matcher stored in table when it was built from
// exactly these patterns, is well formed and has a uint32 delta, nil
// otherwise.
func tableMatcher(table string, patterns []string) *matcher {
	m, d16, _ := readTable(table, patterns)
	if d16 != nil {
		return nil
	}
	return m
}

// readTable reads a table built from exactly these patterns: the matcher
// (its delta nil when the table holds a uint16 one), that uint16 delta and
// the threshold, or nil when the table is another's or malformed. On a
// little-endian machine, where the file's alignment holds, the arrays are
// the embedded bytes themselves (read-only memory: nothing writes them);
// elsewhere they are decoded into fresh slices.
func readTable(table string, patterns []string) (*matcher, []uint16, uint32) {
	if len(table) < tableHeader+256 || table[:len(tableMagic)] != tableMagic {
		return nil, nil, 0
	}
	sum := patternsSum(patterns)
	if table[len(tableMagic):len(tableMagic)+sha256.Size] != string(sum[:]) {
		return nil, nil, 0
	}
	hdr := table[len(tableMagic)+sha256.Size:]
	u32 := func(i int) int { return int(binary.LittleEndian.Uint32([]byte(hdr[4*i : 4*i+4]))) }
	nclass, thr, nDelta, nStart, nOut, width := u32(0), u32(1), u32(2), u32(3), u32(4), u32(5)
	body := table[tableHeader+256:]
	deltaBytes := 4 * nDelta
	if width == 2 {
		deltaBytes = 2 * (nDelta + nDelta%2)
	}
	if nclass <= 0 || nclass > 256 || nStart < 2 || nDelta != (nStart-1)*nclass || width != 2 && width != 4 ||
		int64(len(body)) != int64(deltaBytes)+4*(int64(nStart)+int64(nOut)) {
		return nil, nil, 0
	}
	m := &matcher{nclass: nclass, outThreshold: uint32(thr)}
	copy(m.classOf[:], table[tableHeader:tableHeader+256])
	var d16 []uint16
	if width == 2 {
		d16 = tableArray[uint16](body[:2*nDelta])
	} else {
		m.delta = tableArray[uint32](body[:deltaBytes])
	}
	m.outStart = tableArray[uint32](body[deltaBytes : deltaBytes+4*nStart])
	m.out = tableArray[uint32](body[deltaBytes+4*nStart:])
	// The table is part of the source, as trusted as the code; what is
	// checked is what a stale or cut file would get wrong: the lengths
	// above, and that every output range lies in out and names a pattern.
	// The transitions are not walked: that would read every page of the
	// table, where a scan reads only the rows of the states it visits.
	for i := 1; i < len(m.outStart); i++ {
		if m.outStart[i] < m.outStart[i-1] || int(m.outStart[i]) > nOut {
			return nil, nil, 0
		}
	}
	for _, id := range m.out {
		if int(id) >= len(patterns) {
			return nil, nil, 0
		}
	}
	return m, d16, uint32(thr)
}

// tableArray is the array of T in b (little-endian): b itself where the
// machine is little-endian and b is aligned for T, a decoded copy
// otherwise.
func tableArray[T uint16 | uint32](b string) []T {
	size := int(unsafe.Sizeof(T(0)))
	if len(b) < size {
		return nil
	}
	p := unsafe.StringData(b)
	if littleEndian && uintptr(unsafe.Pointer(p))%uintptr(size) == 0 {
		return unsafe.Slice((*T)(unsafe.Pointer(p)), len(b)/size)
	}
	a := make([]T, len(b)/size)
	for i := range a {
		var v uint32
		for k := size - 1; k >= 0; k-- {
			v = v<<8 | uint32(b[i*size+k])
		}
		a[i] = T(v)
	}
	return a
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()
