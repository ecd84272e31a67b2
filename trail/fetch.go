package trail

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// piece is a chunk of an input's content: data, then err, io.EOF at its end; first marks an
// input's first piece. A failure to open an input, read it or walk a directory is an *IOError
// piece, the last; notGzip says the input began as gzip but its header could not be read; end
// says the inputs are over.
type piece struct {
	name       string
	data       []byte
	err        error
	notGzip    string
	first, end bool
	gzip       bool // the input is decompressed
}

// The fetcher reads ahead at most fetchChunks chunks of fetchChunk bytes, over one input or
// several, made as it needs them: a chunk is made only when every one made is ahead of the
// scanning, so that a small input takes one, and a log whose records cost the scanning more in
// some stretches than in others (a morning's sign-ins against a night's machine traffic) gets
// the read-ahead that keeps decompression from waiting on them. On the 1000 MiB generated log
// of the README, 6 chunks of 256 KiB left decompression waiting on the scanning 2.7% to 5.2% of
// the time, 16 of 1 MiB 0% to 1.7% (six runs each).
const (
	fetchChunks = 16
	fetchChunk  = 1 << 20
)

// fetcher reads a Read's inputs in order in a goroutine of its own, opening each, decompressing
// those in gzip, up to fetchChunks chunks ahead of the scanning: decompression and scanning then
// run at once on two cores, across the small files a trail is made of as within a large one.
type fetcher struct {
	full chan piece
	free chan []byte
	done chan struct{}
	// the goroutine's readers, reused from one input to the next
	br *bufio.Reader
	zr *gzip.Reader
	// the piece being read, and how far
	cur piece
	off int
	// how long each side waited on the other, and the chunks made
	stats fetchStats
}

// fetchStats are how long the two sides of a Read waited on each other: the fetcher for a chunk
// to read into, all it may make being scanned or ahead (fetchWait: the scanning was behind),
// and the scanning for the next chunk (scanWait: reading and decompressing were behind); and the
// chunks the fetcher made. Reading is limited by decompression when the fetcher never waits.
type fetchStats struct {
	fetchWait, scanWait time.Duration
	chunks              int
}

// newFetcher starts reading the inputs: files, directories walked in sorted order, and "-" for
// stdin.
func newFetcher(inputs []string, stdin io.Reader) *fetcher {
	f := &fetcher{full: make(chan piece, fetchChunks), free: make(chan []byte, fetchChunks),
		done: make(chan struct{})}
	go f.run(inputs, stdin)
	return f
}

// run reads the inputs until one cannot be opened or read, or the fetcher is closed.
func (f *fetcher) run(inputs []string, stdin io.Reader) {
	for _, in := range inputs {
		if in == "-" {
			if stdin == nil {
				f.send(piece{name: "stdin", first: true, err: &IOError{errors.New("no standard input")}})
				return
			}
			if !f.input("stdin", func() (io.ReadCloser, error) { return io.NopCloser(stdin), nil }) {
				return
			}
			continue
		}
		fi, err := os.Stat(in)
		if err != nil {
			f.send(piece{name: in, first: true, err: &IOError{err}})
			return
		}
		if !fi.IsDir() {
			if !f.input(in, fileOpener(in)) {
				return
			}
			continue
		}
		err = filepath.WalkDir(in, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return &IOError{err}
			}
			if d.IsDir() {
				if path != in && d.Name() == "CloudTrail-Digest" {
					return filepath.SkipDir
				}
				return nil
			}
			if !logName(d.Name()) {
				return nil
			}
			if !f.input(path, fileOpener(path)) {
				return errClosed
			}
			return nil
		})
		if err == errClosed {
			return
		}
		if err != nil {
			f.send(piece{name: in, first: true, err: err})
			return
		}
	}
	f.send(piece{end: true})
}

// fileOpener opens the file at path.
func fileOpener(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

// input sends the pieces of one input, opened by open, and says false when the Read ends there
// (it could not be opened or read) or the fetcher was closed.
func (f *fetcher) input(name string, open func() (io.ReadCloser, error)) bool {
	rc, err := open()
	if err != nil {
		f.send(piece{name: name, first: true, err: &IOError{err}})
		return false
	}
	defer rc.Close()
	if f.br == nil {
		f.br = bufio.NewReaderSize(sourceReader{rc}, readChunk)
	} else {
		f.br.Reset(sourceReader{rc})
	}
	var r io.Reader = f.br
	if magic, _ := f.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if f.zr == nil {
			f.zr, err = gzip.NewReader(f.br)
		} else {
			err = f.zr.Reset(f.br)
		}
		if err != nil {
			f.zr = nil
			if ioe := sourceError(err); ioe != nil {
				f.send(piece{name: name, first: true, err: ioe})
				return false
			}
			return f.send(piece{name: name, first: true, err: io.EOF, notGzip: err.Error()})
		}
		f.zr.Multistream(true)
		r = f.zr
	}
	err = f.copy(name, r, r != f.br)
	return err != errClosed && sourceError(err) == nil
}

// errClosed is what the goroutine meets when the fetcher was closed.
var errClosed = errors.New("trail: the fetcher was closed")

// copy sends the content of the input name read from r, and returns the error that ended it:
// io.EOF at its end, or errClosed when the fetcher was closed; gz says it is decompressed.
func (f *fetcher) copy(name string, r io.Reader, gz bool) error {
	for first := true; ; first = false {
		var buf []byte
		select {
		case buf = <-f.free:
		default:
			if f.stats.chunks < fetchChunks {
				f.stats.chunks++
				buf = make([]byte, fetchChunk)
				break
			}
			t := time.Now()
			select {
			case buf = <-f.free:
			case <-f.done:
				return errClosed
			}
			f.stats.fetchWait += time.Since(t)
		}
		n := 0
		var err error
		for n < len(buf) && err == nil {
			var m int
			m, err = r.Read(buf[n:])
			n += m
		}
		if !f.send(piece{name: name, first: first, data: buf[:n], err: err, gzip: gz}) {
			f.free <- buf // there is room: the chunks are at most fetchChunks
			return errClosed
		}
		if err != nil {
			return err
		}
	}
}

// send passes p on, and says false when the fetcher was closed instead.
func (f *fetcher) send(p piece) bool {
	select {
	case f.full <- p:
		return true
	case <-f.done:
		return false
	}
}

// next gives the current piece's chunk back and returns the next piece: after skipRest, the
// first of the next input (or the end).
func (f *fetcher) next() piece {
	f.release()
	select {
	case f.cur = <-f.full:
	default:
		t := time.Now()
		f.cur = <-f.full
		f.stats.scanWait += time.Since(t)
	}
	f.off = 0
	return f.cur
}

// release gives the current piece's chunk back.
func (f *fetcher) release() {
	if f.cur.data != nil {
		f.free <- f.cur.data[:cap(f.cur.data)]
	}
	f.cur = piece{}
}

// Read reads the content of the current input: its pieces, then their error.
func (f *fetcher) Read(p []byte) (int, error) {
	for f.off == len(f.cur.data) {
		if f.cur.err != nil {
			return 0, f.cur.err
		}
		f.next()
	}
	n := copy(p, f.cur.data[f.off:])
	f.off += n
	return n, nil
}

// skipRest passes over what remains of the current input, when its scanning stopped early.
func (f *fetcher) skipRest() {
	for f.cur.err == nil {
		f.next()
	}
}

// Close stops the goroutine: it ends when it next waits for a chunk or to pass one on (not
// before a read of a blocked input returns: it is not waited for).
func (f *fetcher) Close() { close(f.done) }
