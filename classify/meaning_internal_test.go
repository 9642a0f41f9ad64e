package classify

import (
	"strings"
	"testing"
)

// The automaton matches lower-cased text: every term must be lower case,
// and a term listed twice would be a copy-paste slip.
func TestVocabularyTermsAreLowerCaseAndDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, term := range vocabulary() {
		if term.text == "" || strings.ToLower(term.text) != term.text {
			t.Errorf("term %q is empty or not lower case", term.text)
		}
		if seen[term.text] {
			t.Errorf("term %q listed twice", term.text)
		}
		seen[term.text] = true
	}
}

func TestSubjectIndexRoundTrip(t *testing.T) {
	for i, s := range subjectByIdx {
		if subjectIdx(s) != i || subjectIndex[s] != i {
			t.Errorf("subject %q: index %d, subjectIdx %d", s, i, subjectIdx(s))
		}
	}
	for s, i := range stateIndex {
		if stateIdx(s) != i && s != StateNone {
			t.Errorf("state %q: index %d, stateIdx %d", s, i, stateIdx(s))
		}
	}
}

func TestEveryMeaningRuleIsReachable(t *testing.T) {
	reach := map[int]bool{ruleAddressUnknown: true, ruleRecipientDisabledForNow: true}
	for _, row := range meaningIndex {
		for _, k := range row {
			if k >= 0 {
				reach[int(k)] = true
			}
		}
	}
	for k, r := range meaningRules {
		if !reach[k] {
			t.Errorf("meaning rule %s maps from no subject and state", r.ID)
		}
		if _, err := compileRule(&Rule{ID: r.ID, Code: "5xx", Category: r.Category, Hint: r.Hint, Suppress: r.Suppress}, k, func(string) uint32 { return 0 }); err != nil {
			t.Errorf("meaning rule %s is not a valid rule: %v", r.ID, err)
		}
	}
}
