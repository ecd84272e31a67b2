package trail

import (
	"bytes"
	"context"
	"testing"
)

// FuzzReadRecords reads any bytes as a log, plain or gzip, through the reader, the builder,
// the timeline and the scenario: never a panic or a hang, every record counted once, every
// problem placed in its file.
func FuzzReadRecords(f *testing.F) {
	f.Add([]byte(`{"Records":[` + rec("a") + "," + other("b") + `]}`))
	f.Add([]byte(rec("l1") + "\n" + rec("l2")[:30] + "\n" + rec("l3")))
	f.Add(gz(f, `{"Records":[`+rec("z")+`]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b := NewBuilder()
		c, err := Read(context.Background(), []string{"-"}, ReadOptions{Stdin: bytes.NewReader(data), MaxRecord: 4096}, b.Add)
		if err != nil {
			t.Fatal(err)
		}
		if n := c.Decoded + c.Skipped + c.Oversize + c.Malformed; n != c.Records {
			t.Fatalf("%d records, %d counted: %+v", c.Records, n, c)
		}
		for _, p := range c.Problems {
			if p.Place.File != "stdin" || p.Msg == "" {
				t.Fatalf("problem %+v", p)
			}
		}
		tl := b.Timeline(0)
		if _, _, err := Scenario(tl, ScenarioOptions{Replications: 1}); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzMembers checks the members of a record that the scanner finds as it scans against those
// that members finds from the record's bytes: when the scanner gives some, they are the same.
func FuzzMembers(f *testing.F) {
	f.Add([]byte(rec("a")))
	f.Add([]byte(`{"a": tru e}`))
	f.Add([]byte(`{"a":{} 5, "b": [1, "x"]}`))
	f.Add([]byte(`{"k\"ey": "v\\", "n": -1.5e3, "o": {"p": [true, null]}}`))
	f.Add([]byte(`{"event\u0053ource": "sso.amazonaws.com", "eventSource": 1, "userIdentity": {"arn": "AWSReservedSSO_x"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newScanner(bytes.NewReader(data), 1<<16)
		if c, ok := s.skipSpace(); !ok || c != '{' {
			return
		}
		v, _, _, err := s.value()
		if err != nil || v == nil {
			return
		}
		got := s.members()
		// what the reader reads of the members for every record, without building them
		src, id, found := s.sourceAndIdentity()
		if found != (got != nil) {
			t.Fatalf("%q: sourceAndIdentity found %v, members %d", v, found, len(got))
		}
		if got == nil {
			return
		}
		if relevantTo(v, src, id) != relevant(v, got) {
			t.Fatalf("%q: relevant from the source %q and identity %q is not relevant from the members", v, src, id)
		}
		want, err := members(v, nil)
		if err != nil {
			t.Fatalf("%q: the scanner found %d members, members: %v", v, len(got), err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, want %d", v, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i].key, want[i].key) || !bytes.Equal(got[i].val, want[i].val) {
				t.Fatalf("%q: member %d: %q: %q, want %q: %q", v, i, got[i].key, got[i].val, want[i].key, want[i].val)
			}
		}
	})
}
