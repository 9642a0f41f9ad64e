// Levels: how much an observation matters, shared by the findings of
// the root package and the lint issues of the protocol packages.

package severity

// Level ranks a finding; the values are the wire tokens.
type Level string

const (
	Error   Level = "error"   // mail will be rejected or fail authentication
	Warning Level = "warning" // deliverability or security risk
	Info    Level = "info"    // worth knowing, no action required
)

// Rank orders severities for sorting: 0 for error, 1 for warning, 2 for
// info (and anything else).
func (s Level) Rank() int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// String returns the wire token.
func (s Level) String() string { return string(s) }
