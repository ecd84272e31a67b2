package trail

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
)

// DefaultMaxRecord is the largest record read, in bytes: CloudTrail's own records are far
// smaller (it truncates large request parameters), so a larger one is skipped and counted.
const DefaultMaxRecord = 1 << 20

// MaxProblems is the most problems a Read keeps; the others are counted.
const MaxProblems = 100

// ReadOptions control a Read.
type ReadOptions struct {
	// MaxRecord is the largest record or line kept, in bytes (0: DefaultMaxRecord). A larger one
	// is passed over without being held in memory, and counted as oversize.
	MaxRecord int
	// Stdin is what the input "-" reads.
	Stdin io.Reader
	// All, when set, decodes every record, not only those about IAM Identity Center users.
	All bool
	// inline decides, for tests, where the records of compressed inputs are decoded: 1 on the
	// scanning goroutine, -1 on the decoding goroutine, 0 by the cores (see setInline).
	inline int
	// stats, when set, is given the fetcher's statistics of a Read that reads its inputs to the
	// end (tests and benchmarks report them).
	stats *fetchStats
}

// Place is where a record was read: its file, its number in the file (from 1) and the line it
// begins on.
type Place struct {
	File   string
	Record int
	Line   int
}

func (p Place) String() string {
	switch {
	case p.Record == 0:
		return p.File
	case p.Line == 0:
		return fmt.Sprintf("%s: record %d", p.File, p.Record)
	}
	return fmt.Sprintf("%s: record %d (line %d)", p.File, p.Record, p.Line)
}

// Problem is a record, or the rest of a file, that could not be read.
type Problem struct {
	Place Place
	// Kind is oversize (a record over the size bound, skipped), malformed (not a CloudTrail
	// record: not JSON, or without its event fields) or unreadable (the rest of the file: a
	// truncated or corrupt gzip stream, a broken Records array).
	Kind string
	Msg  string
}

func (p Problem) String() string { return p.Place.String() + ": " + p.Msg }

// Kinds of problems.
const (
	Oversize   = "oversize"
	Malformed  = "malformed"
	Unreadable = "unreadable"
)

// Counts are what a Read met.
type Counts struct {
	Files    int   // files read (standard input counts as one)
	Bytes    int64 // bytes of JSON scanned, after decompression
	Records  int   // records met
	Decoded  int   // records decoded: about IAM Identity Center users, or all with ReadOptions.All
	Skipped  int   // records of other services, passed over without being decoded
	Oversize int
	// Malformed counts the records that are not CloudTrail records; Unreadable the files whose
	// rest could not be read.
	Malformed  int
	Unreadable int
	// Problems are the first MaxProblems problems, in the order met.
	Problems []Problem
}

func (c *Counts) problem(p Problem) {
	switch p.Kind {
	case Oversize:
		c.Oversize++
	case Malformed:
		c.Malformed++
	case Unreadable:
		c.Unreadable++
	}
	if len(c.Problems) < MaxProblems {
		c.Problems = append(c.Problems, p)
	}
}

// IOError is a failure to read an input that the input's content does not explain: a file
// that cannot be opened or read. Problems of the content are counted in Counts instead.
type IOError struct{ Err error }

func (e *IOError) Error() string { return e.Err.Error() }
func (e *IOError) Unwrap() error { return e.Err }

// Read reads the CloudTrail records of the inputs in order: files as delivered to S3 ({"Records":
// [...]}), files of one record per line (CloudTrail Lake and Athena exports) or of records one
// after another, each gzip-compressed or not (told by its first bytes, not its name);
// directories, walked in the order of their sorted names for files ending in .json, .jsonl or
// .ndjson with or without .gz (CloudTrail-Digest directories are passed over); and "-", the
// standard input. It calls fn with each record about an IAM Identity Center user or its
// administration (or every record, with opts.All), in order, from a goroutine of its own that
// decodes them while the next are found; the record is fn's only for the call.
//
// Memory stays bounded whatever the inputs hold: records are found without decoding (records
// of other services are told by their eventSource and passed over), and a record over
// opts.MaxRecord bytes is skipped without being held. What cannot be read is counted and
// named in the Counts, never fatal; the error is an *IOError for an input that cannot be
// opened or read, or the context's error.
func Read(ctx context.Context, inputs []string, opts ReadOptions, fn func(*Record)) (*Counts, error) {
	if opts.MaxRecord <= 0 {
		opts.MaxRecord = DefaultMaxRecord
	}
	rd := &reader{ctx: ctx, opts: opts, fn: fn, counts: &Counts{}, strs: interner{}}
	rd.start()
	err := rd.inputs(inputs)
	rd.stop()
	return rd.counts, err
}

// inputs reads each input in turn: a fetcher opens, reads and decompresses them ahead.
func (rd *reader) inputs(inputs []string) error {
	f := newFetcher(inputs, rd.opts.Stdin)
	defer f.Close()
	for {
		p := f.next()
		if p.end {
			if rd.opts.stats != nil {
				*rd.opts.stats = f.stats // the fetcher's goroutine wrote them before the end
			}
			return nil
		}
		if !p.first {
			panic("trail: an input read past its end") // skipRest reads each to its end
		}
		var ioe *IOError
		if errors.As(p.err, &ioe) {
			return ioe
		}
		rd.setInline(p.gzip && (rd.opts.inline > 0 || rd.opts.inline == 0 && runtime.GOMAXPROCS(0) < 3))
		if err := rd.stream(p.name, p.notGzip, f); err != nil {
			return err
		}
		f.skipRest()
	}
}

// reader is one Read. Its records are found on the calling goroutine, which passes those worth
// decoding, and the problems met, in batches to a goroutine of its own that decodes them and
// calls fn, in order: the two run at once. Of the Counts, the first writes Files, Bytes,
// Records and Skipped; the second the others.
type reader struct {
	ctx    context.Context
	opts   ReadOptions
	fn     func(*Record)
	counts *Counts
	// the batch being filled, those sent to the decoding goroutine, those free
	cur        *batch
	work, free chan *batch
	done       chan struct{}
	// the calling goroutine's scanner, kept from one input to the next
	sc *scanner
	// inline says the records are decoded on the calling goroutine (setInline)
	inline bool
	// the decoding goroutine's own
	rec  Record
	ms   []member
	offs []memberOffsets
	strs interner
	ids  identityCache
}

// batch is records to decode and problems to count, in the order met.
type batch struct {
	data  []byte
	items []item
	offs  []memberOffsets
	probs []Problem
}

// item is a record of a batch (its bytes data[off:end], the offsets of its members
// offs[moff:mend], mend < 0 when the scanner did not find them), or a problem (probs[prob]).
type item struct {
	place                Place
	off, end, moff, mend int
	prob                 int
}

// Bounds of a batch, and how many there are.
const (
	batchBytes   = 1 << 20
	batchRecords = 4096
	batches      = 3
)

// start starts the decoding goroutine.
func (rd *reader) start() {
	rd.work, rd.free, rd.done = make(chan *batch, batches), make(chan *batch, batches), make(chan struct{})
	for range batches {
		rd.free <- &batch{data: make([]byte, 0, batchBytes+batchBytes/16)} // seldom grown: a record may take it past batchBytes
	}
	rd.cur = <-rd.free
	go func() {
		defer close(rd.done)
		for b := range rd.work {
			rd.decodeBatch(b)
			b.data, b.items, b.offs, b.probs = b.data[:0], b.items[:0], b.offs[:0], b.probs[:0]
			rd.free <- b
		}
	}()
}

// stop sends what is left and waits for it to be decoded.
func (rd *reader) stop() {
	rd.flush()
	close(rd.work)
	<-rd.done
}

// flush sends the batch being filled, when it holds anything.
func (rd *reader) flush() {
	if len(rd.cur.items) > 0 {
		rd.work <- rd.cur
		rd.cur = <-rd.free
	}
}

// setInline makes the records of the next input decoded on the calling goroutine (inline) or
// on the decoding goroutine. A compressed input keeps a core busy decompressing: with fewer
// than three cores, the scanning and decoding goroutines then share one, and decoding a record
// as soon as it is found, while its bytes are in the cache, costs less CPU than passing it on
// (on the 2-core machine of the README, the 1000 MiB gzip log took 1.40 s against 1.50 s, the
// medians of five alternating runs). Before decoding inline, what was passed on is decoded, so
// that the order holds.
func (rd *reader) setInline(inline bool) {
	if inline && !rd.inline {
		rd.flush()
		held := make([]*batch, 0, batches-1) // all but the batch being filled: none in flight
		for len(held) < batches-1 {
			held = append(held, <-rd.free)
		}
		for _, b := range held {
			rd.free <- b
		}
	}
	rd.inline = inline
}

// problem passes a problem on, in order with the records.
func (rd *reader) problem(p Problem) {
	if rd.inline {
		rd.counts.problem(p)
		return
	}
	b := rd.cur
	b.probs = append(b.probs, p)
	b.items = append(b.items, item{place: p.Place, prob: len(b.probs) - 1})
	if len(b.items) >= batchRecords {
		rd.flush()
	}
}

// record passes a record on to be decoded: its bytes, and its members' offsets when known.
func (rd *reader) record(place Place, v []byte, offs []memberOffsets, known bool) {
	if rd.inline {
		rd.decodeOne(place, v, offs, known)
		return
	}
	b := rd.cur
	it := item{place: place, off: len(b.data), moff: len(b.offs), mend: -1, prob: -1}
	b.data = append(b.data, v...)
	it.end = len(b.data)
	if known {
		b.offs = append(b.offs, offs...)
		it.mend = len(b.offs)
	}
	b.items = append(b.items, it)
	if len(b.data) >= batchBytes || len(b.items) >= batchRecords {
		rd.flush()
	}
}

// decodeBatch decodes the records of a batch and counts its problems, in order.
func (rd *reader) decodeBatch(b *batch) {
	c := rd.counts
	for _, it := range b.items {
		if it.prob >= 0 {
			c.problem(b.probs[it.prob])
			continue
		}
		rd.decodeOne(it.place, b.data[it.off:it.end], b.offs[it.moff:max(it.moff, it.mend)], it.mend >= 0)
	}
}

// decodeOne decodes the record v at place, its members at offs when known, and calls fn. The
// bytes after v, up to its capacity, may be read (the block scanner reads whole blocks).
func (rd *reader) decodeOne(place Place, v []byte, offs []memberOffsets, known bool) {
	c := rd.counts
	ms := rd.ms[:0]
	var err error
	if known {
		ms = membersAt(ms, v, offs)
	} else if offs, end, _, ok := blockObject(v, v[:cap(v)], rd.offs[:0], false); ok && len(trimWS(v[end:])) == 0 {
		rd.offs = offs // a line the block scanner reads
		ms = membersAt(ms, v, offs)
	} else {
		ms, err = members(v, ms)
	}
	rd.ms = ms
	if err == nil {
		err = decode(v, ms, &rd.rec, rd.strs, &rd.ids)
	}
	if err != nil {
		c.problem(Problem{place, Malformed, err.Error()})
		return
	}
	c.Decoded++
	rd.rec.Place = place
	rd.rec.Raw = v
	rd.fn(&rd.rec)
}

// logName says whether a file met walking a directory is a log.
func logName(name string) bool {
	name = strings.TrimSuffix(name, ".gz")
	return slices.ContainsFunc([]string{".json", ".jsonl", ".ndjson"}, func(ext string) bool { return strings.HasSuffix(name, ext) })
}

// stream reads one input, its content read from f, decompressed (notGzip says why a gzip
// input could not be): it tells the layout by the first value.
func (rd *reader) stream(name, notGzip string, f *fetcher) error {
	rd.counts.Files++
	if notGzip != "" {
		rd.problem(Problem{Place{File: name}, Unreadable, "not a gzip stream: " + notGzip})
		return nil
	}
	if rd.sc == nil {
		rd.sc = newScanner(f, rd.opts.MaxRecord)
	} else {
		rd.sc.reset(f) // its buffers serve every input: a trail is thousands of small files
	}
	s := rd.sc
	s.judge = !rd.opts.All
	err := rd.scan(name, s)
	rd.counts.Bytes += s.offset()
	if err != nil {
		if ioe := sourceError(err); ioe != nil {
			return ioe
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		place := Place{File: name}
		var pe *placedError
		if errors.As(err, &pe) {
			place.Record, place.Line, err = pe.record, pe.line, pe.err
		}
		rd.problem(Problem{place, Unreadable, readMessage(err)})
	}
	return nil
}

// readMessage says what a failure of reading a file's content means.
func readMessage(err error) string {
	switch {
	case errors.Is(err, errTruncated):
		return err.Error() + ": the file is truncated"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the file is truncated: " + err.Error()
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, new(flate.CorruptInputError)):
		return "corrupt gzip stream: " + err.Error()
	}
	return err.Error()
}

// scan reads the records of one input.
func (rd *reader) scan(name string, s *scanner) error {
	c, ok := s.skipSpace()
	if !ok {
		if s.err != io.EOF {
			return s.err
		}
		return nil // empty
	}
	if c == '{' && isRecordsHead(s.peek(64)) {
		return rd.records(name, s)
	}
	return rd.values(name, s)
}

// isRecordsHead says whether b begins with {"Records": [ (white space allowed).
func isRecordsHead(b []byte) bool {
	b = bytes.TrimLeft(b[1:], " \t\r\n")
	rest, ok := bytes.CutPrefix(b, []byte(`"Records"`))
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " \t\r\n")
	rest, ok = bytes.CutPrefix(rest, []byte(":"))
	return ok && bytes.HasPrefix(bytes.TrimLeft(rest, " \t\r\n"), []byte("["))
}

// records reads a file as S3 delivers it: {"Records": [record, ...]}.
func (rd *reader) records(name string, s *scanner) error {
	s.pos++ // {
	if _, ok := s.skipSpace(); !ok {
		return s.err
	}
	s.pos += len(`"Records"`)
	if err := s.expect(':', "a colon"); err != nil {
		return err
	}
	if err := s.expect('[', "the Records array"); err != nil {
		return err
	}
	for n := 1; ; n++ {
		c, ok := s.skipSpace()
		if !ok {
			return rd.ended(s, n)
		}
		if c == ']' {
			s.pos++
			break
		}
		if n > 1 {
			if c != ',' {
				return &placedError{n, s.line, fmt.Errorf("found %q where a comma or ] was expected", c)}
			}
			s.pos++
			if _, ok = s.skipSpace(); !ok {
				return rd.ended(s, n)
			}
		}
		place := Place{File: name, Record: n, Line: s.line}
		v, size, _, err := s.value()
		if err != nil {
			return &placedError{n, place.Line, err}
		}
		if err := rd.one(place, v, size, s); err != nil {
			return err
		}
	}
	if err := s.expect('}', "the end of the object"); err != nil {
		return err
	}
	if c, ok := s.skipSpace(); ok {
		return fmt.Errorf("line %d: found %q after the end of the Records object", s.line, c)
	}
	if s.err != io.EOF {
		return s.err
	}
	return nil
}

// ended is the error of an input that ends where record n was expected.
func (rd *reader) ended(s *scanner, n int) error {
	if s.err != io.EOF {
		return s.err
	}
	return &placedError{n, s.line, errTruncated}
}

// placedError is a failure to read a file from one of its records on.
type placedError struct {
	record, line int
	err          error
}

func (e *placedError) Error() string {
	return fmt.Sprintf("record %d (line %d): %v", e.record, e.line, e.err)
}
func (e *placedError) Unwrap() error { return e.err }

// values reads records written one after another: one per line (JSON lines) when the first
// holds no line break, else each across as many lines as it takes. In a file of lines, a line is
// found by its line break alone, and a record that does not end its line with } is cut; what a
// line holds is checked only when the record is decoded.
func (rd *reader) values(name string, s *scanner) error {
	lineMode := false
	for n := 1; ; n++ {
		c, ok := s.skipSpace()
		if !ok {
			if s.err != io.EOF {
				return s.err
			}
			return nil
		}
		place := Place{File: name, Record: n, Line: s.line}
		if c != '{' {
			rd.counts.Records++
			rd.problem(Problem{place, Malformed, fmt.Sprintf("not a JSON object: begins with %q", c)})
			s.skipLine()
			continue
		}
		if lineMode {
			v, size, err := s.nextLine()
			if err != nil {
				return &placedError{n, place.Line, err}
			}
			if v != nil {
				if v = bytes.TrimRight(v, " \t\r"); v[len(v)-1] != '}' {
					rd.counts.Records++
					rd.problem(Problem{place, Malformed, "not JSON: " + errTruncatedLine.Error()})
					continue
				}
			}
			if err := rd.one(place, v, size, nil); err != nil {
				return err
			}
			continue
		}
		v, size, newline, err := s.value()
		if err != nil {
			return &placedError{n, place.Line, err}
		}
		if n == 1 && !newline {
			lineMode = true
		}
		if err := rd.one(place, v, size, s); err != nil {
			return err
		}
	}
}

// one handles the record at place: v its bytes, or nil when its size was over the bound; s the
// scanner that found it as a value, nil when it is a line found by its line break.
func (rd *reader) one(place Place, v []byte, size int64, s *scanner) error {
	c := rd.counts
	c.Records++
	if c.Records%4096 == 0 {
		if err := rd.ctx.Err(); err != nil {
			return err
		}
	}
	if v == nil {
		rd.problem(Problem{place, Oversize, fmt.Sprintf("%d bytes, over the bound of %d: skipped", size, rd.opts.MaxRecord)})
		return nil
	}
	if v[0] != '{' {
		rd.problem(Problem{place, Malformed, fmt.Sprintf("not a CloudTrail record: not a JSON object but %.20q", v)})
		return nil
	}
	if s != nil && s.passed { // judged by the block scanner, only when !All
		c.Skipped++
		return nil
	}
	src, id, known := s.sourceAndIdentity()
	if !rd.opts.All {
		if !known {
			src, id = eventSource(v), identityOf(v)
		}
		if !relevantTo(v, src, id) {
			c.Skipped++
			return nil
		}
	}
	rd.record(place, v, s.offsets(), known)
	return nil
}

// sourceReader marks the errors of reading an input itself, as opposed to those of decoding it.
type sourceReader struct{ r io.Reader }

type sourceErr struct{ err error }

func (e *sourceErr) Error() string { return e.err.Error() }
func (e *sourceErr) Unwrap() error { return e.err }

func (r sourceReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = &sourceErr{err}
	}
	return n, err
}

// sourceError returns the *IOError of a failure to read an input, or nil when err is another.
func sourceError(err error) error {
	var se *sourceErr
	if errors.As(err, &se) {
		return &IOError{se.err}
	}
	return nil
}
