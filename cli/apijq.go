package cli

// api --jq: a jq expression (github.com/itchyny/gojq) applied to each JSON
// answer, each page with --paginate, as gh applies it: a string result
// prints raw, on its own line; any other result as JSON, indented for a
// terminal, else compact, one a line. Everything goes through the
// sanitiser: raw strings through sanitize.Text, JSON as jsonOut writes it.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/itchyny/gojq"
	"github.com/skyswitch/skyswitch/internal/sanitize"
)

// compileJQ compiles --jq's expression; one that does not compile is a
// usage error, found before anything is sent.
func compileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err == nil {
		var code *gojq.Code
		if code, err = gojq.Compile(q); err == nil {
			return code, nil
		}
	}
	return nil, usageErr("api: --jq: %w", err)
}

// writeJQ runs code on data, one valid JSON document, and writes each
// result to w: a string raw, anything else as JSON. A runtime error stops
// it (what was written stays written); halt stops it without one.
func writeJQ(w jsonOut, code *gojq.Code, data []byte, pretty bool, nsid string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("%s: --jq: the answer is not JSON: %w", nsid, err)
	}
	iter := code.Run(v)
	for {
		r, ok := iter.Next()
		if !ok {
			return w.flush()
		}
		if err, isErr := r.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return w.flush()
			}
			return errors.Join(w.flush(), fmt.Errorf("%s: --jq: %w", nsid, err))
		}
		if s, isString := r.(string); isString {
			w.buf.WriteString(sanitize.Text(s))
			w.buf.WriteString("\n")
			continue
		}
		b, err := gojq.Marshal(r)
		if err != nil {
			return errors.Join(w.flush(), fmt.Errorf("%s: --jq: %w", nsid, err))
		}
		if err := writeJSONDoc(w, b, pretty); err != nil {
			return err
		}
	}
}
