package classify

import (
	"bytes"
	"encoding/json"
	"io"
)

// MaxRulesFileSize is the largest rules file ReadOptions reads: 4 MiB.
const MaxRulesFileSize = 4 << 20

// ReadOptions reads Options from JSON. Two shapes are accepted: an object
// with the fields of Options,
//
//	{"before": [rules...], "after": [rules...], "disable": ["rule-id", ...],
//	 "providers": [{"provider": "acme-mail", "hosts": ["mx.acme-mail.example"], "domains": ["acme-mail.example"]}]}
//
// or a bare array of rules, which become Options.Before. Unknown fields are
// an error, so a typo in a rule does not silently drop a predicate. The
// rules themselves are checked by New.
//
// Every error matches errors.Is(err, ErrRules); a file over MaxRulesFileSize
// gives a *LimitError, a JSON error unwraps to the decoder's error.
func ReadOptions(r io.Reader) (Options, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxRulesFileSize+1))
	if err != nil {
		return Options{}, &rulesFileError{err}
	}
	if len(data) > MaxRulesFileSize {
		return Options{}, &LimitError{Limit: "MaxRulesFileSize", Max: MaxRulesFileSize, Got: int64(len(data))}
	}
	data = bytes.TrimSpace(data)
	var opts Options
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if len(data) > 0 && data[0] == '[' {
		err = dec.Decode(&opts.Before)
	} else {
		err = dec.Decode(&opts)
	}
	if err != nil {
		return Options{}, &rulesFileError{err}
	}
	return opts, nil
}
