// Package severity ranks how much an observation about a sending setup
// matters (error, warning, info): the level of authcheck findings and of
// the lint issues of spf and dmarc.
package severity
