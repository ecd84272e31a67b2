package strictjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type window struct {
	LengthNS int64 `json:"length_ns"`
	Open     bool  `json:"open"`
}

type inner struct {
	Name    string            `json:"name"`
	Windows map[string]window `json:"windows"`
	Notes   []string          `json:"notes,omitempty"`
}

// level decodes from a string by its own UnmarshalText.
type level int

func (l *level) UnmarshalText(b []byte) error {
	if string(b) != "high" {
		return errors.New("want high")
	}
	*l = 1
	return nil
}

type base struct {
	Kind string `json:"kind"`
}

type doc struct {
	base
	Seed   uint64         `json:"seed"`
	Count  int8           `json:"count"`
	Ratio  float64        `json:"ratio"`
	Items  []inner        `json:"items"`
	Pair   [2]int         `json:"pair"`
	Ptr    *inner         `json:"ptr"`
	Any    any            `json:"any,omitempty"`
	When   time.Time      `json:"when"`
	Raw    []byte         `json:"raw,omitempty"`
	ByNum  map[int]string `json:"by_num,omitempty"`
	Level  level          `json:"level,omitempty"`
	Hidden string         `json:"-"`
}

const good = `{"kind":"run","seed":18446744073709551615,"count":-128,"ratio":0.5,
 "items":[{"name":"a","windows":{"portal":{"length_ns":5,"open":false}}},{"name":"b","windows":{},"notes":["x"]}],
 "pair":[1,2],"ptr":null,"any":{"x":[1,{"y":null}]},"when":"2026-03-02T00:00:00Z","raw":"aGk=","by_num":{"7":"seven"},"level":"high"}`

// A document that matches the type decodes as encoding/json decodes it.
func TestUnmarshalGood(t *testing.T) {
	t.Parallel()
	var got, want doc
	if err := Unmarshal([]byte(good), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(good), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got.Seed != 1<<64-1 || got.Level != 1 || got.Items[0].Windows["portal"].LengthNS != 5 || string(got.Raw) != "hi" {
		t.Errorf("decoded %+v", got)
	}
}

// Each departure from the type is refused with its JSON path, and v is left as it was.
func TestUnmarshalRefuses(t *testing.T) {
	t.Parallel()
	edit := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("%q is not in the document", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	for _, c := range []struct {
		name, data, want string
	}{
		{"duplicate key", edit(`"seed":`, `"seed":1,"seed":`), `$.seed: duplicate key`},
		{"duplicate key deep", edit(`"open":false`, `"open":false,"open":true`), `$.items[0].windows.portal.open: duplicate key`},
		{"duplicate key in any", edit(`{"y":null}`, `{"y":null,"y":1}`), `$.any.x[1].y: duplicate key`},
		{"duplicate map key", edit(`"windows":{}`, `"windows":{"a":{"length_ns":1,"open":true},"a":{"length_ns":1,"open":true}}`), `$.items[1].windows.a: duplicate key`},
		{"unknown field", edit(`"seed":`, `"extra":1,"seed":`), `$.extra: unknown field; want one of any, by_num, count, items, kind, level, pair, ptr, ratio, raw, seed, when`},
		{"field in another case", edit(`"seed":`, `"Seed":`), `$.Seed: unknown field`},
		{"field with json:\"-\"", edit(`"seed":`, `"Hidden":"x","seed":`), `$.Hidden: unknown field`},
		{"missing field", edit(`"name":"a",`, ``), `$.items[0].name: missing`},
		{"missing embedded field", edit(`"kind":"run",`, ``), `$.kind: missing`},
		{"string for integer", edit(`"length_ns":5`, `"length_ns":"5"`), `$.items[0].windows.portal.length_ns: want an integer from -9223372036854775808 to 9223372036854775807, got the string "5"`},
		{"fraction for integer", edit(`"length_ns":5`, `"length_ns":5.5`), `$.items[0].windows.portal.length_ns: want an integer`},
		{"exponent for integer", edit(`"length_ns":5`, `"length_ns":5e0`), `got 5e0`},
		{"out of range", edit(`"count":-128`, `"count":-129`), `$.count: want an integer from -128 to 127, got -129`},
		{"negative unsigned", edit(`"seed":18446744073709551615`, `"seed":-1`), `$.seed: want an integer from 0 to 18446744073709551615, got -1`},
		{"unsigned overflow", edit(`"seed":18446744073709551615`, `"seed":18446744073709551616`), `$.seed: want an integer from 0`},
		{"null for integer", edit(`"count":-128`, `"count":null`), `$.count: want an integer from -128 to 127, got null`},
		{"object for string", edit(`"name":"a"`, `"name":{"a":1}`), `$.items[0].name: want a string, got an object`},
		{"array for object", edit(`"windows":{}`, `"windows":[]`), `$.items[1].windows: want an object, got an array`},
		{"number for bool", edit(`"open":false`, `"open":0`), `$.items[0].windows.portal.open: want true or false, got the number 0`},
		{"short array", edit(`"pair":[1,2]`, `"pair":[1]`), `$.pair: want an array of 2, got 1 elements`},
		{"bad base64", edit(`"raw":"aGk="`, `"raw":"!"`), `$.raw: want a base64 string, got "!"`},
		{"bad map key", edit(`"7":"seven"`, `"x":"seven"`), `$.by_num.x: want an integer`},
		{"time, by its own method", edit(`"when":"2026-03-02T00:00:00Z"`, `"when":5`), `$: Time.UnmarshalJSON: input is not a JSON string`},
		{"number for text", edit(`"level":"high"`, `"level":1`), `$.level: want a string, got the number 1`},
		{"odd key", edit(`"seed":`, `"a b":1,"seed":`), `$["a b"]: unknown field`},
		{"trailing data", good + ` {}`, `$: trailing data after the JSON value, at byte`},
		{"trailing garbage", good + `x`, `$: trailing data after the JSON value`},
		{"truncated", good[:100], `not valid JSON`},
		{"syntax", edit(`"count":-128`, `"count":-128,,`), `$.count: not valid JSON, at byte`},
		{"not UTF-8", edit(`"name":"a"`, "\"name\":\"\xff\""), `$: not valid UTF-8 at byte`},
		{"too deep", edit(`"any":{"x":[1,{"y":null}]}`, `"any":`+strings.Repeat("[", MaxDepth)+strings.Repeat("]", MaxDepth)), `nested more than 64 deep`},
		{"empty", ``, `$: not valid JSON`},
	} {
		var v doc
		v.Hidden = "kept"
		err := Unmarshal([]byte(c.data), &v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("%s: %T, want an ErrorList", c.name, err)
		}
		if !reflect.DeepEqual(v, doc{Hidden: "kept"}) {
			t.Errorf("%s: v was changed: %+v", c.name, v)
		}
	}
}

// Every error is reported, up to MaxErrors and a last one saying there were more.
func TestUnmarshalReportsEveryError(t *testing.T) {
	t.Parallel()
	data := `{"kind":1,"seed":"x","count":1,"ratio":1,"items":[],"pair":[1,2],"ptr":null,"when":"2026-03-02T00:00:00Z"}`
	var v doc
	err := Unmarshal([]byte(data), &v)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 || list[0].Path != "$.kind" || list[1].Path != "$.seed" {
		t.Errorf("got %v, want errors at $.kind and $.seed", err)
	}
	var many strings.Builder
	many.WriteString(`[`)
	for i := range 30 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`"x"`)
	}
	many.WriteString(`]`)
	var ints []int
	err = Unmarshal([]byte(many.String()), &ints)
	if !errors.As(err, &list) || len(list) != MaxErrors+1 || list[MaxErrors].Msg != "too many errors" || list[19].Path != "$[19]" {
		t.Errorf("got %d errors, want %d and a last saying there are more: %v", len(list), MaxErrors+1, err)
	}
}

// Unmarshal needs a pointer.
func TestUnmarshalNeedsPointer(t *testing.T) {
	t.Parallel()
	var v doc
	if err := Unmarshal([]byte(`{}`), v); err == nil {
		t.Error("a non-pointer accepted")
	}
	if err := Unmarshal([]byte(`{}`), (*doc)(nil)); err == nil {
		t.Error("a nil pointer accepted")
	}
}

// Embedded structs give their fields as encoding/json does: the shallower wins, a tagged one wins
// over an untagged one at its depth, and two that tie are neither there; a nil embedded pointer's
// fields may be missing.
func TestFieldsOfEmbeddedStructs(t *testing.T) {
	t.Parallel()
	type A struct{ X, Y int }
	type B struct {
		Y int `json:"Y"`
		Z int
	}
	type C struct{ Z int }
	type P struct{ Q int }
	type T struct {
		A
		B
		C
		*P
		X string
	}
	st := structOf(reflect.TypeFor[T]())
	if want := []string{"Q", "X", "Y"}; !reflect.DeepEqual(st.names, want) {
		t.Errorf("fields %v, want %v", st.names, want)
	}
	if st.fields["X"].typ.Kind() != reflect.String || st.fields["Q"].required || !st.fields["Y"].tagged {
		t.Errorf("fields %+v", st.fields)
	}
	var v T
	if err := Unmarshal([]byte(`{"X":"s","Y":2}`), &v); err != nil || v.X != "s" || v.B.Y != 2 || v.P != nil {
		t.Errorf("%+v %v", v, err)
	}
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte(`{"kind":"run","kind":"x"}`))
	f.Add([]byte(`[[[[{"a":[]}]]]]`))
	f.Add([]byte(`{"items":[{"windows":{"a":{"length_ns":1e400}}}]} x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v doc
		err := Unmarshal(data, &v)
		if err == nil {
			// what Unmarshal accepts, encoding/json decodes alike
			var w doc
			if err := json.Unmarshal(data, &w); err != nil || !reflect.DeepEqual(v, w) {
				t.Errorf("accepted, but encoding/json gives %v", err)
			}
		}
		var a any
		Unmarshal(data, &a)
	})
}

// UnmarshalKnown skips the keys a struct does not know, and checks everything else as
// Unmarshal does: the known fields' types, required fields, duplicate keys and depth.
func TestUnmarshalKnown(t *testing.T) {
	t.Parallel()
	type item struct {
		ID   string `json:"Id"`
		Name string `json:"Name,omitempty"`
	}
	type page struct {
		Items []item `json:"Items"`
	}
	var p page
	err := UnmarshalKnown([]byte(`{"Items":[{"Id":"a","Extra":{"x":[1,2]},"Name":"n"}],"NextToken":"t"}`), &p)
	if err != nil || len(p.Items) != 1 || p.Items[0] != (item{"a", "n"}) {
		t.Fatalf("got %+v, %v", p, err)
	}
	if err := Unmarshal([]byte(`{"Items":[],"NextToken":"t"}`), &p); err == nil {
		t.Error("Unmarshal accepted an unknown key")
	}
	for doc, want := range map[string]string{
		`{"Items":[{"Id":1}]}`:                             "$.Items[0].Id: want a string, got the number 1",
		`{"Items":[{"Name":"n"}]}`:                         "$.Items[0].Id: missing",
		`{"Items":[{"Id":"a","Extra":1,"Extra":2}]}`:       "$.Items[0].Extra: duplicate key",
		`{"Items":[],"X":` + strings.Repeat("[", 70) + `}`: "nested more than 64 deep",
		`{"Items":[]} {}`:                                  "trailing data",
	} {
		err := UnmarshalKnown([]byte(doc), &p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", doc, err, want)
		}
	}
}
