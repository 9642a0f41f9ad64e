// Severity: how much an observation matters, shared by the findings of
// the root package and the lint issues of the protocol packages.

package authcheck

// Severity ranks a finding; the values are the wire tokens.
type Severity string

const (
	SeverityError   Severity = "error"   // mail will be rejected or fail authentication
	SeverityWarning Severity = "warning" // deliverability or security risk
	SeverityInfo    Severity = "info"    // worth knowing, no action required
)

// Rank orders severities for sorting: 0 for error, 1 for warning, 2 for
// info (and anything else).
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// String returns the wire token.
func (s Severity) String() string { return string(s) }
