// Package strictjson decodes JSON documents that must match a Go type exactly.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Limits of Unmarshal.
const (
	// MaxDepth is the deepest nesting of arrays and objects accepted.
	MaxDepth = 64
	// MaxErrors is the most errors reported for one document.
	MaxErrors = 20
)

// Error is one problem of a document, at a JSON path: $ is the document, $.key a member of an
// object, $.list[3] an element of an array.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

// ErrorList is every problem found in a document, in the order of the document.
type ErrorList []*Error

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unmarshal decodes data into v, a non-nil pointer, as encoding/json does, once it has checked
// that data is one JSON value in valid UTF-8, nested at most MaxDepth deep, and that it matches
// v's type exactly: no object has a key twice; every key of an object decoded into a struct names
// one of its fields, with the case of the field's name, and every field without omitempty or
// omitzero is there; every value has the type of its destination (null only for pointers, slices,
// maps and interfaces; integers in range, without fraction or exponent); an array decoded into a
// Go array has its length. Values decoded into interfaces or by their own UnmarshalJSON or
// UnmarshalText are only checked for duplicate keys and depth (their own errors come without a
// path). If data is accepted, *v becomes the value decoded (into a zero value: what data leaves
// out is zero); otherwise Unmarshal returns an ErrorList of the problems found, at most
// MaxErrors and a last saying there were more, and leaves *v unchanged.
func Unmarshal(data []byte, v any) error {
	return unmarshal(data, v, false)
}

// UnmarshalKnown is Unmarshal for documents that may carry more than v's type knows, such as the
// outputs of other programs: a key of an object decoded into a struct that names none of its
// fields is skipped, its value checked only for duplicate keys and depth. Everything else is
// checked as Unmarshal checks it.
func UnmarshalKnown(data []byte, v any) error {
	return unmarshal(data, v, true)
}

// unmarshal is Unmarshal, skipping unknown keys of structs when known says so.
func unmarshal(data []byte, v any, known bool) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return ErrorList{{Path: "$", Msg: fmt.Sprintf("cannot decode into %T, want a non-nil pointer", v)}}
	}
	if !utf8.Valid(data) {
		n := 0
		for n < len(data) {
			r, size := utf8.DecodeRune(data[n:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			n += size
		}
		return ErrorList{{Path: "$", Msg: fmt.Sprintf("not valid UTF-8 at byte %d", n)}}
	}
	w := &walker{dec: json.NewDecoder(bytes.NewReader(data)), path: []byte("$"), skipUnknown: known}
	w.dec.UseNumber()
	err := w.value(rv.Type().Elem(), 0)
	if err == nil {
		off := w.dec.InputOffset()
		if _, err := w.dec.Token(); err != io.EOF {
			w.errorf("trailing data after the JSON value, at byte %d", off)
		}
	}
	if len(w.errs) > 0 {
		return w.errs
	}
	nv := reflect.New(rv.Type().Elem())
	if err := json.Unmarshal(data, nv.Interface()); err != nil {
		return ErrorList{{Path: "$", Msg: err.Error()}}
	}
	rv.Elem().Set(nv.Elem())
	return nil
}

// errStop ends the walk: the document cannot be read further, or has too many errors.
var errStop = errors.New("stop")

// walker reads a document token by token, against the type it decodes into.
type walker struct {
	dec  *json.Decoder
	path []byte // the JSON path of the value being read
	errs ErrorList
	// skipUnknown skips the keys of objects decoded into structs that name none of their fields.
	skipUnknown bool
}

// errorf records an error at the current path; it returns errStop once there are too many.
func (w *walker) errorf(format string, args ...any) error {
	if len(w.errs) == MaxErrors {
		w.errs = append(w.errs, &Error{Path: string(w.path), Msg: "too many errors"})
	}
	if len(w.errs) > MaxErrors {
		return errStop
	}
	w.errs = append(w.errs, &Error{Path: string(w.path), Msg: fmt.Sprintf(format, args...)})
	return nil
}

// token reads the next token; a syntax error stops the walk.
func (w *walker) token() (json.Token, error) {
	off := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		w.errorf("not valid JSON, at byte %d: %v", off, err)
		return nil, errStop
	}
	return tok, nil
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value reads one value that decodes into t (nil: any value), depth arrays and objects deep.
func (w *walker) value(t reflect.Type, depth int) error {
	tok, err := w.token()
	if err != nil {
		return err
	}
	if t != nil && tok != nil {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t.Kind() == reflect.Interface, reflect.PointerTo(t).Implements(unmarshalerType):
			t = nil // decoded into an interface or by its own method: only the syntax is checked
		case reflect.PointerTo(t).Implements(textUnmarshalerType):
			if _, ok := tok.(string); ok {
				return nil
			}
			if err := w.errorf("want a string, got %s", describeToken(tok)); err != nil {
				return err
			}
			t = nil
		}
	}
	if d, ok := tok.(json.Delim); ok {
		if depth == MaxDepth {
			w.errorf("nested more than %d deep", MaxDepth)
			return errStop
		}
		if d == '{' {
			return w.object(t, depth+1)
		}
		return w.array(t, depth+1)
	}
	if t == nil {
		return nil
	}
	switch tok := tok.(type) {
	case nil:
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			return nil
		}
	case bool:
		if t.Kind() == reflect.Bool {
			return nil
		}
	case string:
		switch {
		case t.Kind() == reflect.String:
			return nil
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
			if _, err := base64.StdEncoding.DecodeString(tok); err != nil {
				return w.errorf("want %s, got %s", describe(t), quote(tok))
			}
			return nil
		}
	case json.Number:
		return w.number(t, tok.String())
	}
	return w.errorf("want %s, got %s", describe(t), describeToken(tok))
}

// describeToken names a token of a scalar value, or the array or object it opens, for a message.
func describeToken(tok json.Token) string {
	switch tok := tok.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(tok)
	case string:
		return "the string " + quote(tok)
	case json.Number:
		return "the number " + tok.String()
	case json.Delim:
		if tok == '{' {
			return "an object"
		}
		return "an array"
	}
	return fmt.Sprint(tok)
}

// number checks a number that decodes into t.
func (w *walker) number(t reflect.Type, s string) error {
	var err error
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		_, err = strconv.ParseInt(s, 10, t.Bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		_, err = strconv.ParseUint(s, 10, t.Bits())
	case reflect.Float32, reflect.Float64:
		_, err = strconv.ParseFloat(s, t.Bits())
	default:
		return w.errorf("want %s, got the number %s", describe(t), s)
	}
	if err != nil {
		return w.errorf("want %s, got %s", describe(t), s)
	}
	return nil
}

// object reads the members of an object, after its '{', into t: a struct, a map or anything (nil).
func (w *walker) object(t reflect.Type, depth int) error {
	var st *structInfo
	var elem, key reflect.Type // of a map
	switch {
	case t == nil:
	case t.Kind() == reflect.Struct:
		st = structOf(t)
	case t.Kind() == reflect.Map:
		elem, key = t.Elem(), t.Key()
	default:
		if err := w.errorf("want %s, got an object", describe(t)); err != nil {
			return err
		}
		t = nil
	}
	seen := map[string]bool{}
	n := len(w.path)
	for {
		tok, err := w.token()
		if err != nil {
			return err
		}
		if tok == json.Delim('}') {
			break
		}
		k, ok := tok.(string)
		if !ok { // the decoder gives only strings as keys
			w.errorf("not valid JSON: %s as a key", describeToken(tok))
			return errStop
		}
		w.path = appendKey(w.path[:n], k)
		var vt reflect.Type
		switch {
		case seen[k]:
			err = w.errorf("duplicate key")
		case st != nil:
			f, ok := st.fields[k]
			if !ok && !w.skipUnknown {
				err = w.errorf("unknown field; want one of %s", strings.Join(st.names, ", "))
			}
			vt = f.typ
		case key != nil:
			vt = elem
			err = w.mapKey(key, k)
		}
		if err != nil {
			return err
		}
		seen[k] = true
		if err := w.value(vt, depth); err != nil {
			return err
		}
	}
	for _, name := range st.namesOrNil() {
		if st.fields[name].required && !seen[name] {
			w.path = appendKey(w.path[:n], name)
			if err := w.errorf("missing"); err != nil {
				return err
			}
		}
	}
	w.path = w.path[:n]
	return nil
}

// mapKey checks a key of an object decoded into a map with keys of type t.
func (w *walker) mapKey(t reflect.Type, k string) error {
	if t.Kind() == reflect.String || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return nil
	}
	return w.number(t, k)
}

// array reads the elements of an array, after its '[', into t: a slice, an array or anything (nil).
func (w *walker) array(t reflect.Type, depth int) error {
	var elem reflect.Type
	switch {
	case t == nil:
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8, t.Kind() == reflect.Array:
		elem = t.Elem()
	default:
		if err := w.errorf("want %s, got an array", describe(t)); err != nil {
			return err
		}
		t = nil
	}
	n := len(w.path)
	i := 0
	for ; w.dec.More(); i++ {
		w.path = append(strconv.AppendInt(append(w.path[:n], '['), int64(i), 10), ']')
		if err := w.value(elem, depth); err != nil {
			return err
		}
	}
	w.path = w.path[:n]
	if _, err := w.token(); err != nil { // the ']'
		return err
	}
	if t != nil && t.Kind() == reflect.Array && i != t.Len() {
		return w.errorf("want %s, got %d elements", describe(t), i)
	}
	return nil
}

// appendKey appends the path of member k to the path of an object.
func appendKey(path []byte, k string) []byte {
	plain := k != ""
	for i, r := range k {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return append(append(path, '.'), k...)
	}
	return append(append(append(path, '['), quote(k)...), ']')
}

// quote quotes s for a message, shortened when long.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		i := max
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return strconv.Quote(s[:i]) + "…"
	}
	return strconv.Quote(s)
}

// describe names the JSON value that decodes into t.
func describe(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return fmt.Sprintf("an integer from %d to %d", -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return fmt.Sprintf("an integer from 0 to %d", uint64(1)<<(t.Bits()-1)*2-1)
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "an array"
	case reflect.Array:
		return fmt.Sprintf("an array of %d", t.Len())
	case reflect.Pointer:
		return describe(t.Elem()) + " or null"
	}
	return t.String()
}

// field is a member an object decoded into a struct may have.
type field struct {
	typ      reflect.Type
	required bool // no omitempty nor omitzero, and not in an embedded pointer
	depth    int  // of embedding
	tagged   bool
}

// structInfo is what objects decoded into a struct type may hold.
type structInfo struct {
	fields map[string]field
	names  []string // sorted
}

func (st *structInfo) namesOrNil() []string {
	if st == nil {
		return nil
	}
	return st.names
}

var structCache sync.Map // reflect.Type -> *structInfo

// structOf returns the members of objects decoded into struct type t, as encoding/json finds
// them: with the fields of embedded structs, the shallowest (then the tagged) of those with one
// name winning, and none when two tie.
func structOf(t reflect.Type) *structInfo {
	if st, ok := structCache.Load(t); ok {
		return st.(*structInfo)
	}
	fields := map[string]field{}
	tied := map[string]bool{}
	visited := map[reflect.Type]bool{}
	var add func(t reflect.Type, depth int, optional bool)
	add = func(t reflect.Type, depth int, optional bool) {
		if visited[t] {
			return
		}
		visited[t] = true
		defer delete(visited, t)
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if sf.Anonymous && name == "" {
				et := sf.Type
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					if sf.Type.Kind() == reflect.Pointer && !sf.IsExported() {
						continue // encoding/json cannot set it
					}
					// a nil embedded pointer leaves its fields out
					add(et, depth+1, optional || sf.Type.Kind() == reflect.Pointer)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			f := field{typ: sf.Type, required: !optional, depth: depth, tagged: name != ""}
			if name == "" {
				name = sf.Name
			}
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "omitempty", "omitzero":
					f.required = false
				case "string":
					switch sf.Type.Kind() {
					case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64:
						// a quoted number or bool; encoding/json checks what is inside the quotes
						f.typ = reflect.TypeFor[string]()
					}
				}
			}
			prev, ok := fields[name]
			switch {
			case !ok || f.depth < prev.depth || f.depth == prev.depth && f.tagged && !prev.tagged:
				fields[name], tied[name] = f, false
			case f.depth == prev.depth && f.tagged == prev.tagged:
				tied[name] = true
			}
		}
	}
	add(t, 0, false)
	st := &structInfo{fields: fields}
	for name := range fields {
		if tied[name] {
			delete(fields, name)
			continue
		}
		st.names = append(st.names, name)
	}
	slices.Sort(st.names)
	structCache.Store(t, st)
	return st
}
