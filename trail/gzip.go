package trail

import (
	"compress/gzip"
	"io"
)

// newGzipReader returns a reader of what r decompresses to, gzip members one after another.
func newGzipReader(r io.Reader) (io.Reader, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	zr.Multistream(true)
	return zr, nil
}

// decompressor reads a decompressing reader in a goroutine of its own, a few chunks ahead, so
// that decompression and scanning run at once on two cores.
type decompressor struct {
	full chan chunk
	free chan []byte
	done chan struct{}
	cur  chunk
	off  int
}

type chunk struct {
	data []byte
	err  error
}

// decompressChunks is how many chunks the goroutine may read ahead.
const decompressChunks = 4

func newDecompressor(r io.Reader) *decompressor {
	d := &decompressor{full: make(chan chunk, decompressChunks), free: make(chan []byte, decompressChunks), done: make(chan struct{})}
	for range decompressChunks {
		d.free <- make([]byte, readChunk)
	}
	go d.run(r)
	return d
}

// run fills free chunks from r until r fails or ends, or the decompressor is closed.
func (d *decompressor) run(r io.Reader) {
	for {
		var buf []byte
		select {
		case buf = <-d.free:
		case <-d.done:
			return
		}
		n := 0
		var err error
		for n < len(buf) && err == nil {
			var m int
			m, err = r.Read(buf[n:])
			n += m
		}
		select {
		case d.full <- chunk{buf[:n], err}:
		case <-d.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (d *decompressor) Read(p []byte) (int, error) {
	for d.off == len(d.cur.data) {
		if d.cur.err != nil {
			return 0, d.cur.err
		}
		if d.cur.data != nil {
			d.free <- d.cur.data[:cap(d.cur.data)]
		}
		d.cur = <-d.full
		d.off = 0
	}
	n := copy(p, d.cur.data[d.off:])
	d.off += n
	return n, nil
}

// Close stops the goroutine.
func (d *decompressor) Close() error {
	close(d.done)
	return nil
}
