package trail

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// rec is a small CloudTrail record of IAM Identity Center with the event ID id.
func rec(id string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"Unknown","userName":"bob"},"eventTime":"2026-03-04T08:00:00Z","eventSource":"sso.amazonaws.com","eventName":"ListAccounts","eventID":%q}`, id)
}

// other is a record of another service.
func other(id string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"deploy"},"eventTime":"2026-03-04T08:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":%q,"requestParameters":{"key":"a \"quoted\\\" name"}}`, id)
}

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// read reads the inputs and returns the event IDs of the records, with their places.
func read(t *testing.T, opts ReadOptions, inputs ...string) ([]string, *Counts, error) {
	t.Helper()
	var got []string
	c, err := Read(context.Background(), inputs, opts, func(r *Record) {
		got = append(got, fmt.Sprintf("%s@%s:%d:%d", r.EventID, filepath.Base(r.Place.File), r.Place.Record, r.Place.Line))
	})
	return got, c, err
}

// The layouts of CloudTrail's files: S3's tree (AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/)
// of gzip files, walked in the order of sorted names, its digests passed over; files of one
// record per line; a record written across lines; and files that are not logs, passed over.
func TestReadLayouts(t *testing.T) {
	dir := t.TempDir()
	day := filepath.Join(dir, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "03")
	write(t, filepath.Join(day, "05", "111122223333_CloudTrail_us-east-1_20260305T0000Z_b.json.gz"),
		gz(t, `{"Records":[`+rec("c")+`]}`))
	write(t, filepath.Join(day, "04", "111122223333_CloudTrail_us-east-1_20260304T0905Z_a.json.gz"),
		gz(t, "{\"Records\": [\n  "+rec("a")+",\n  "+other("x")+",\n  "+rec("b")+"\n]}\n"))
	write(t, filepath.Join(dir, "AWSLogs", "111122223333", "CloudTrail-Digest", "us-east-1", "d.json.gz"), gz(t, `{"digestStartTime":"2026-03-04T08:00:00Z"}`))
	write(t, filepath.Join(dir, "AWSLogs", "README.txt"), []byte("not a log"))
	lines := filepath.Join(t.TempDir(), "lake.jsonl")
	write(t, lines, []byte(rec("l1")+"\n"+other("l2")+"\n\n"+rec("l3")+"\n"))
	pretty := filepath.Join(t.TempDir(), "one.json")
	write(t, pretty, []byte(strings.ReplaceAll(rec("p"), ",", ",\n  ")+"\n"))

	got, c, err := read(t, ReadOptions{}, dir, lines, pretty)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a@111122223333_CloudTrail_us-east-1_20260304T0905Z_a.json.gz:1:2", "b@111122223333_CloudTrail_us-east-1_20260304T0905Z_a.json.gz:3:4",
		"c@111122223333_CloudTrail_us-east-1_20260305T0000Z_b.json.gz:1:1", "l1@lake.jsonl:1:1", "l3@lake.jsonl:3:4", "p@one.json:1:1"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("read\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c.Files != 4 || c.Records != 8 || c.Decoded != 6 || c.Skipped != 2 || len(c.Problems) != 0 {
		t.Errorf("counts %+v", c)
	}
}

// What cannot be read is counted and named with its file and record (and line), and reading
// goes on with the next record, or the next file: never fatal.
func TestReadProblems(t *testing.T) {
	dir := t.TempDir()
	full := gz(t, `{"Records":[`+rec("g1")+","+rec("g2")+","+strings.Repeat(other("pad")+",", 200)+rec("g3")+`]}`)
	cases := []struct {
		name    string
		data    []byte
		max     int
		ids     string // the records read
		problem string // the problems, as Problem.String writes them, after the file's name
		counts  [3]int // oversize, malformed, unreadable
	}{
		{"truncated.json.gz", full[:len(full)/2], 0, "g1 g2", "the file is truncated", [3]int{0, 0, 1}},
		{"corrupt.json.gz", append(append([]byte{}, full[:20]...), bytes.Repeat([]byte{0xff}, 100)...), 0, "", "corrupt gzip stream", [3]int{0, 0, 1}},
		{"notgzip.json.gz", []byte{0x1f, 0x8b, 0, 0}, 0, "", "not a gzip stream", [3]int{0, 0, 1}},
		{"lines.jsonl", []byte(rec("l1") + "\nthis is not JSON\n" + rec("l3") + "\n"), 0, "l1 l3",
			`lines.jsonl: record 2 (line 2): not a JSON object: begins with 't'`, [3]int{0, 1, 0}},
		{"cut.jsonl", []byte(rec("c1") + "\n" + rec("c2")[:40] + "\n" + rec("c3") + "\n"), 0, "c1 c3",
			"cut.jsonl: record 2 (line 2): not JSON: the line ends inside a JSON value", [3]int{0, 1, 0}},
		{"cutstring.jsonl", []byte(rec("s1") + "\n" + rec("s2")[:60] + "\n" + rec("s3") + "\n"), 0, "s1 s3",
			"cutstring.jsonl: record 2 (line 2): not JSON: the line ends inside a JSON value", [3]int{0, 1, 0}},
		{"huge.jsonl", []byte(rec("h1") + "\n" + `{"eventSource":"sso.amazonaws.com","pad":"` + strings.Repeat("x", 10000) + `"}` + "\n" + rec("h3") + "\n"), 1024, "h1 h3",
			"huge.jsonl: record 2 (line 2): 10044 bytes, over the bound of 1024: skipped", [3]int{1, 0, 0}},
		{"badrecord.json", []byte(`{"Records":[` + rec("b1") + `,{"eventTime":,"eventSource":"sso.amazonaws.com"},` + rec("b3") + `]}`), 0, "b1 b3",
			`badrecord.json: record 2 (line 1): not JSON: ',' at byte 14, where a value was expected`, [3]int{0, 1, 0}},
		{"scalar.json", []byte(`{"Records":[17,` + rec("n2") + `]}`), 0, "n2", "scalar.json: record 1 (line 1): not a CloudTrail record: not a JSON object", [3]int{0, 1, 0}},
		{"noevent.json", []byte(`{"Records":[{"eventSource":"sso.amazonaws.com"}]}`), 0, "", "noevent.json: record 1 (line 1): not a CloudTrail record: no eventSource or eventName", [3]int{0, 1, 0}},
		{"badtime.json", []byte(`{"Records":[{"eventSource":"sso.amazonaws.com","eventName":"X","eventTime":"yesterday"}]}`), 0, "", `eventTime "yesterday" is not an RFC 3339 time`, [3]int{0, 1, 0}},
		{"cutarray.json", []byte(`{"Records":[` + rec("t1") + "," + rec("t2")[:50]), 0, "t1", "cutarray.json: record 2 (line 1): the input ends inside a JSON value: the file is truncated", [3]int{0, 0, 1}},
		{"trailing.json", []byte(`{"Records":[` + rec("r1") + `]} {"x":1}`), 0, "r1", `found '{' after the end of the Records object`, [3]int{0, 0, 1}},
		{"empty.json", nil, 0, "", "", [3]int{}},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		write(t, path, c.data)
		got, counts, err := read(t, ReadOptions{MaxRecord: c.max}, path)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var ids []string
		for _, g := range got {
			ids = append(ids, g[:strings.IndexByte(g, '@')])
		}
		var problems []string
		for _, p := range counts.Problems {
			problems = append(problems, p.String())
		}
		if strings.Join(ids, " ") != c.ids || [3]int{counts.Oversize, counts.Malformed, counts.Unreadable} != c.counts ||
			c.problem != "" && (len(problems) != 1 || !strings.Contains(problems[0], c.problem) || !strings.HasPrefix(problems[0], path)) ||
			c.problem == "" && len(problems) != 0 {
			t.Errorf("%s: read %q, problems %q, counts %+v; want %q, %q, %v", c.name, ids, problems, counts, c.ids, c.problem, c.counts)
		}
	}
}

// A gzip file of several members (as concatenating gzip files makes) is read to its end, a
// member ending inside a record included; a truncated last member is a problem placed after the
// records read.
func TestReadGzipMembers(t *testing.T) {
	s3 := `{"Records":[` + rec("m1") + "," + rec("m2") + "," + rec("m3") + `]}`
	cut := len(`{"Records":[`) + len(rec("m1")) + 20 // inside m2
	lines := gz(t, rec("l1")+"\n"+rec("l2")+"\n")
	for _, c := range []struct {
		name, ids, problem string
		data               []byte
	}{
		{"s3", "m1 m2 m3", "", append(gz(t, s3[:cut]), gz(t, s3[cut:])...)},
		{"lines", "l1 l2 l3", "", append(lines, gz(t, rec("l3")+"\n")...)},
		{"truncated", "l1 l2", "stdin: the file is truncated: unexpected EOF", append(lines, gz(t, rec("l3")+"\n")[:30]...)},
	} {
		got, counts, err := read(t, ReadOptions{Stdin: bytes.NewReader(c.data)}, "-")
		if err != nil {
			t.Fatal(err)
		}
		var ids, problems []string
		for _, g := range got {
			ids = append(ids, g[:strings.IndexByte(g, '@')])
		}
		for _, p := range counts.Problems {
			problems = append(problems, p.String())
		}
		if strings.Join(ids, " ") != c.ids || strings.Join(problems, "; ") != c.problem {
			t.Errorf("%s: read %q, problems %q; want %q, %q", c.name, ids, problems, c.ids, c.problem)
		}
	}
}

// A file that cannot be opened is an error of the environment, not of the logs.
func TestReadMissing(t *testing.T) {
	_, _, err := read(t, ReadOptions{}, filepath.Join(t.TempDir(), "nothing.json"))
	var ioe *IOError
	if !errors.As(err, &ioe) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v, want an IOError of a missing file", err)
	}
	if _, _, err := read(t, ReadOptions{}, "-"); err == nil {
		t.Error("- without a standard input: no error")
	}
}

// An event of 10 MB, over the bound of 1 MiB, is skipped and counted; the records around it are read.
func TestReadTenMegabyteEvent(t *testing.T) {
	big := `{"eventSource":"sso.amazonaws.com","eventName":"X","requestParameters":{"policy":"` + strings.Repeat(`\"Deny\" `, 10<<20/8) + `"}}`
	data := `{"Records":[` + rec("before") + "," + big + "," + rec("after") + `]}`
	got, c, err := read(t, ReadOptions{Stdin: strings.NewReader(data)}, "-")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("stdin: record 2 (line 1): %d bytes, over the bound of 1048576: skipped", len(big))
	if len(big) < 10<<20 || len(got) != 2 || c.Oversize != 1 || c.Problems[0].String() != want {
		t.Errorf("read %q, problems %v", got, c.Problems)
	}
}

// lineReader is a line of size bytes, {"pad":"xxx...x"}, made as it is read, then a record.
type lineReader struct {
	size, off int64
	tail      string
}

func (r *lineReader) Read(p []byte) (int, error) {
	head := `{"pad":"`
	end := `"}` + "\n" + r.tail
	total := r.size + int64(len(end))
	if r.off >= total {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.off < total {
		switch {
		case r.off < int64(len(head)):
			p[n] = head[r.off]
		case r.off < r.size:
			// a run of x to the end of p or of the padding
			k := min(int64(len(p)-n), r.size-r.off)
			for i := range k {
				p[n+int(i)] = 'x'
			}
			n += int(k)
			r.off += k
			continue
		default:
			p[n] = end[r.off-r.size]
		}
		n++
		r.off++
	}
	return n, nil
}

// A single line of 1 GiB is passed over without being held: the heap stays small, and the
// record after it is read.
func TestReadGigabyteLine(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1 GiB")
	}
	r := &lineReader{size: 1 << 30, tail: rec("after") + "\n"}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got, c, err := read(t, ReadOptions{Stdin: r}, "-")
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || c.Oversize != 1 || c.Bytes < 1<<30 {
		t.Errorf("read %q, counts %+v", got, c)
	}
	// the scanner's buffer (1 MiB and two reads of 256 KiB), the read-ahead (at most 16 chunks of
	// 1 MiB), the batches (three of about 1 MiB), and little else
	t.Logf("reading a line of 1 GiB allocated %d KiB", (after.TotalAlloc-before.TotalAlloc)>>10)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 24<<20 {
		t.Errorf("reading a 1 GiB line allocated %d MiB", grew>>20)
	}
}

// Memory does not grow with the log: 128 MiB of records by the same users and sessions (the
// generated log of the benchmark, streamed through a pipe) are read with the heap never above
// 40 MiB (at most 16 MiB of it read ahead; the rest stayed under 24 MiB before the read-ahead
// grew), while what is read is built into users and sessions.
func TestReadMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 128 MiB")
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeLog(pw, 128<<20, true, 2)) }()
	b := NewBuilder()
	var peak uint64
	var ms runtime.MemStats
	n := 0
	c, err := Read(context.Background(), []string{"-"}, ReadOptions{Stdin: pr}, func(r *Record) {
		b.Add(r)
		if n++; n%20000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Bytes < 128<<20 || n < 20000 {
		t.Fatalf("read %d bytes, %d records", c.Bytes, n)
	}
	t.Logf("%d MiB read, %d records decoded, the heap at most %d MiB", c.Bytes>>20, n, peak>>20)
	if peak > 40<<20 {
		t.Errorf("the heap reached %d MiB", peak>>20)
	}
	if tl := b.Timeline(0); len(tl.Users) != 50 {
		t.Errorf("%d users, want the 50 of the generated log", len(tl.Users))
	}
}

// Records of other services cost no allocation each: reading 10 times more of them allocates
// about as much (the buffers of one Read).
func TestReadSkipAllocs(t *testing.T) {
	allocs := func(n int) float64 {
		data := []byte(`{"Records":[` + strings.TrimSuffix(strings.Repeat(other("o")+",", n), ",") + `]}`)
		return testing.AllocsPerRun(5, func() {
			if _, err := Read(context.Background(), []string{"-"}, ReadOptions{Stdin: bytes.NewReader(data)}, func(*Record) {}); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(1000), allocs(10000)
	if large > small+10 {
		t.Errorf("%v allocations for 1000 records of other services, %v for 10000", small, large)
	}
}

// A trail is thousands of small files: the readers, buffers and decompressor of one serve the
// next, so that a file costs little beyond its bytes (it cost 2.9 MB of allocations each when
// every file had its own). The chunks the fetcher reads ahead into, as many as it takes to keep
// ahead (at most fetchChunks of fetchChunk bytes), are counted apart: those are a Read's.
func TestReadFilesReuseBuffers(t *testing.T) {
	perFile := func(n int) uint64 {
		dir := t.TempDir()
		for i := range n {
			write(t, filepath.Join(dir, fmt.Sprintf("f%03d.json.gz", i)), gz(t, `{"Records":[`+other(fmt.Sprint(i))+`]}`))
		}
		var before, after runtime.MemStats
		var stats fetchStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, c, err := read(t, ReadOptions{stats: &stats}, dir); err != nil || c.Files != n || c.Skipped != n {
			t.Fatalf("%v, %+v", err, c)
		}
		runtime.ReadMemStats(&after)
		if stats.chunks < 1 || stats.chunks > fetchChunks {
			t.Fatalf("%d chunks read ahead", stats.chunks)
		}
		return after.TotalAlloc - before.TotalAlloc - uint64(stats.chunks)*fetchChunk
	}
	small, large := perFile(10), perFile(110)
	if each := (int64(large) - int64(small)) / 100; each > 64<<10 {
		t.Errorf("each file allocates %d KiB", each>>10)
	}
}

// Inputs are read ahead, decompressed, while the one before is scanned: what one input holds,
// however it ends, does not spill into the next, and each problem is named with its own file.
func TestReadAheadKeepsInputsApart(t *testing.T) {
	dir := t.TempDir()
	full := gz(t, `{"Records":[`+rec("a1")+","+strings.Repeat(other("pad")+",", 200)+rec("a2")+`]}`)
	write(t, filepath.Join(dir, "a.json.gz"), full[:len(full)/2])                                     // truncated
	write(t, filepath.Join(dir, "b.json.gz"), []byte{0x1f, 0x8b, 0, 0})                               // not gzip
	write(t, filepath.Join(dir, "c.json"), []byte(`{"Records":[`+rec("c1")+`]} {"x":`+rec("no")+`}`)) // stops early
	write(t, filepath.Join(dir, "d.json.gz"), gz(t, `{"Records":[`+rec("d1")+","+rec("d2")+`]}`))
	got, c, err := read(t, ReadOptions{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := "a1@a.json.gz:1:1 c1@c.json:1:1 d1@d.json.gz:1:1 d2@d.json.gz:2:1"
	if strings.Join(got, " ") != want {
		t.Errorf("read %q, want %q", got, want)
	}
	var files []string
	for _, p := range c.Problems {
		files = append(files, filepath.Base(p.Place.File))
	}
	if c.Files != 4 || strings.Join(files, " ") != "a.json.gz b.json.gz c.json" {
		t.Errorf("%d files, problems in %q: %+v", c.Files, files, c.Problems)
	}
}

// A Read stopped by its context returns the context's error, and its read-ahead goroutine ends.
func TestReadCancelledEndsReadAhead(t *testing.T) {
	data := gz(t, `{"Records":[`+strings.TrimSuffix(strings.Repeat(rec("x")+",", 20000), ",")+`]}`)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := Read(ctx, []string{"-"}, ReadOptions{Stdin: bytes.NewReader(data)}, func(*Record) {
		if n++; n == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want the context's", err)
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines, %d before the Read", runtime.NumGoroutine(), before)
}

// The records of compressed inputs are decoded on the scanning goroutine on a machine of fewer
// than three cores (setInline), on the decoding goroutine otherwise: both give the same records,
// problems and counts, in the same order, over inputs that switch between the two (gzip and
// plain files, records across lines, a malformed record, one over the size bound, a file that
// is not gzip past its header).
func TestInlineDecoding(t *testing.T) {
	dir := t.TempDir()
	big := `{"eventSource":"sso.amazonaws.com","eventName":"Federate","x":"` + strings.Repeat("y", 5000) + `"}`
	files := map[string][]byte{
		"a.json.gz":  generated(t, 48<<10, false, true),
		"b.json":     generated(t, 16<<10, false, false),
		"c.jsonl.gz": gz(t, rec("c1")+"\n{\"eventSource\": \n"+big+"\n"+other("c2")+"\n"+rec("c3")+"\n"),
		"d.json.gz":  gz(t, `{"Records":[`+rec("d1")+`,{"eventSource":"sso.amazonaws.com","eventName":5},`+rec("d2")+`]}`),
		"e.json.gz":  append([]byte{0x1f, 0x8b}, "not gzip"...),
		"f.json.gz":  generated(t, 16<<10, true, true),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(inline int) ([]string, *Counts) {
		var got []string
		c, err := Read(context.Background(), []string{dir}, ReadOptions{MaxRecord: 4096, inline: inline}, func(r *Record) {
			got = append(got, fmt.Sprint(r.Place, r.EventID, r.EventSource, r.EventName, r.UserIdentity.ARN, len(r.Raw)))
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, c
	}
	inline, inlineCounts := read(1)
	apart, apartCounts := read(-1)
	if !reflect.DeepEqual(inline, apart) || !reflect.DeepEqual(inlineCounts, apartCounts) {
		t.Errorf("inline: %d records, %+v; apart: %d records, %+v", len(inline), inlineCounts, len(apart), apartCounts)
	}
	if len(inline) < 10 || inlineCounts.Malformed < 2 || inlineCounts.Oversize != 1 || len(inlineCounts.Problems) < 4 {
		t.Errorf("%d records, %+v: the inputs should give records, malformed ones, one oversize and a file that is not gzip", len(inline), inlineCounts)
	}
}
