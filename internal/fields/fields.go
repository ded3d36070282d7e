// Package fields turns `skyswitch api`'s -f and -F flags into a request:
// a JSON body for a procedure, or query parameters for a query. The rules
// are gh api's, which people know:
//
//   - -f key=value sends value as a string.
//   - -F key=value sends a typed value: true, false, null and JSON numbers
//     as such, @file the contents of a file (@- standard input), anything
//     else a string.
//   - key[sub]=value nests an object, key[]=value appends to an array, and
//     they combine: record[tags][]=a.
package fields

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Field is one -f or -F flag.
type Field struct {
	Key   string
	Value string
	Typed bool // -F
	// As is the type a lexicon gives the field, for -F: "string" (the
	// value as it is), "integer" or "boolean" (the value must be one); ""
	// keeps gh's rules.
	As string
}

// Parse reads "key=value"; typed is true for -F.
func Parse(arg string, typed bool) (Field, error) {
	k, v, ok := strings.Cut(arg, "=")
	if !ok || k == "" {
		return Field{}, fmt.Errorf("field %q: want key=value", arg)
	}
	return Field{Key: k, Value: v, Typed: typed}, nil
}

// ReadFile reads the file an @file value names ("-": standard input).
type ReadFile func(name string) ([]byte, error)

// value is f's value: a string for -f, typed for -F (by As when the
// lexicon says, else by gh's rules). null leaves the field out; @file's
// contents are a string unless As makes them an integer or a boolean.
func (f Field) value(read ReadFile) (any, error) {
	v := f.Value
	switch {
	case !f.Typed:
		return v, nil
	case v == "null":
		return nil, nil
	case strings.HasPrefix(v, "@"):
		if read == nil {
			return nil, fmt.Errorf("field %s: cannot read %s here", f.Key, v)
		}
		data, err := read(v[1:])
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Key, err)
		}
		if f.As != "integer" && f.As != "boolean" {
			return string(data), nil
		}
		v = strings.TrimSpace(string(data))
	}
	switch f.As {
	case "string":
		return v, nil
	case "integer":
		// The value is not quoted: it may be a secret given to the wrong
		// key.
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return nil, fmt.Errorf("field %s: the lexicon makes it an integer", f.Key)
		}
		return json.Number(v), nil
	case "boolean":
		if v != "true" && v != "false" {
			return nil, fmt.Errorf("field %s: the lexicon makes it a boolean: true or false", f.Key)
		}
		return v == "true", nil
	}
	switch {
	case v == "true":
		return true, nil
	case v == "false":
		return false, nil
	case isNumber(v):
		return json.Number(v), nil
	default:
		return v, nil
	}
}

// isNumber reports whether s is a JSON number (and a finite one).
func isNumber(s string) bool {
	if !json.Valid([]byte(s)) || s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// path splits a key into its parts: "record[tags][]" is record, tags, "".
// An empty part (from []) appends to an array.
func path(key string) ([]string, error) {
	name, rest, _ := strings.Cut(key, "[")
	if name == "" {
		return nil, fmt.Errorf("field %q: the key has no name", key)
	}
	parts := []string{name}
	if rest == "" {
		return parts, nil
	}
	rest = "[" + rest
	for rest != "" {
		if rest[0] != '[' {
			return nil, fmt.Errorf("field %q: expected [ after ]", key)
		}
		part, after, ok := strings.Cut(rest[1:], "]")
		if !ok {
			return nil, fmt.Errorf("field %q: a [ is not closed", key)
		}
		parts = append(parts, part)
		rest = after
	}
	return parts, nil
}

// Object builds a JSON object from fields, in order.
func Object(fields []Field, read ReadFile) (map[string]any, error) {
	root := map[string]any{}
	for _, f := range fields {
		parts, err := path(f.Key)
		if err != nil {
			return nil, err
		}
		v, err := f.value(read)
		if err != nil {
			return nil, err
		}
		if err := set(root, parts, v); err != nil {
			return nil, fmt.Errorf("field %q: %w", f.Key, err)
		}
	}
	return root, nil
}

// set puts v at parts below obj, making objects and arrays on the way. An
// empty part appends; "a[][b]" puts b into the last element of a when that
// element does not have b yet, else into a new one (gh's rule).
func set(obj map[string]any, parts []string, v any) error {
	key, rest := parts[0], parts[1:]
	if len(rest) == 0 {
		if _, taken := obj[key]; taken {
			return errors.New("given twice")
		}
		obj[key] = v
		return nil
	}
	if rest[0] != "" { // key[sub]...
		child, ok := obj[key].(map[string]any)
		if !ok {
			if obj[key] != nil {
				return fmt.Errorf("%s is not an object", key)
			}
			child = map[string]any{}
			obj[key] = child
		}
		return set(child, rest, v)
	}
	// key[]...
	arr, ok := obj[key].([]any)
	if !ok && obj[key] != nil {
		return fmt.Errorf("%s is not an array", key)
	}
	if len(rest) == 1 {
		obj[key] = append(arr, v)
		return nil
	}
	var last map[string]any
	if n := len(arr); n > 0 {
		last, _ = arr[n-1].(map[string]any)
	}
	if _, has := last[rest[1]]; last == nil || has {
		last = map[string]any{}
		arr = append(arr, last)
	}
	obj[key] = arr
	return set(last, rest[1:], v)
}

// Query builds query parameters from fields: a repeated key, or key[],
// makes an array. Nested keys have no meaning in a query string and are
// refused.
func Query(fields []Field, read ReadFile) (url.Values, error) {
	q := url.Values{}
	for _, f := range fields {
		key := strings.TrimSuffix(f.Key, "[]")
		if key == "" || strings.ContainsAny(key, "[]") {
			return nil, fmt.Errorf("field %q: a query takes plain keys (or key[] for an array), not nested ones", f.Key)
		}
		v, err := f.value(read)
		if err != nil {
			return nil, err
		}
		switch v := v.(type) {
		case nil:
			continue // null: left out
		case string:
			q.Add(key, v)
		default:
			q.Add(key, fmt.Sprint(v))
		}
	}
	return q, nil
}
