package severity

import (
	"encoding/json"
	"testing"
)

func TestRankOrdersErrorsFirst(t *testing.T) {
	if !(Error.Rank() < Warning.Rank() && Warning.Rank() < Info.Rank()) {
		t.Fatalf("ranks %d %d %d", Error.Rank(), Warning.Rank(), Info.Rank())
	}
	if Level("bogus").Rank() != Info.Rank() {
		t.Error("an unknown level does not sort with info")
	}
	b, err := json.Marshal([]Level{Error, Warning, Info})
	if err != nil || string(b) != `["error","warning","info"]` {
		t.Fatalf("JSON %s %v: the wire tokens changed", b, err)
	}
}
