package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func TestGenerateReproducesTheEmbeddedSample(t *testing.T) {
	want, err := os.ReadFile("../../sample/events.csv")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 5, 12, 14, 0, 0, 0, time.UTC)
	for range 2 {
		var b bytes.Buffer
		generate(&b, 24000, 20260512, start, 2)
		if !bytes.Equal(b.Bytes(), want) {
			t.Fatal("generator output differs from sample/events.csv: regenerate it (see the package doc)")
		}
	}
}

func TestGenerateHasTheDocumentedCounts(t *testing.T) {
	var b bytes.Buffer
	generate(&b, 24000, 7, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	var cs01, cs01OnHost, deferred int
	for _, l := range lines[1:] {
		if strings.Contains(l, "[CS01]") {
			cs01++
			if strings.Contains(l, "deals.partnerhub.example") {
				cs01OnHost++
			}
		}
		if strings.Contains(l, ",deferred,") {
			deferred++
		}
	}
	if len(lines) != 24001 || cs01 != 125 || cs01OnHost != 125 || deferred != 5 {
		t.Errorf("%d rows, %d CS01 (%d on the host), %d deferred", len(lines)-1, cs01, cs01OnHost, deferred)
	}
}
