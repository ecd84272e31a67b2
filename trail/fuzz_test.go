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
