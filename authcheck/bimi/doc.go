// Package bimi reads Brand Indicators for Message Identification records
// (draft-brand-indicators-for-message-identification): the v=BIMI1 TXT
// record at <selector>._bimi.<domain>.
package bimi
