package trail

import "io"

// decompressor reads a decompressing reader in a goroutine of its own, a few chunks ahead, so
// that decompression and scanning run at once on two cores.
type decompressor struct {
	full   chan chunk
	free   chan []byte
	done   chan struct{}
	exited chan struct{}
	cur    chunk
	off    int
}

type chunk struct {
	data []byte
	err  error
}

// decompressChunks is how many chunks the goroutine may read ahead.
const decompressChunks = 4

// newDecompressor starts reading r with the chunks bufs, which Close gives back; those missing
// are made.
func newDecompressor(r io.Reader, bufs [][]byte) *decompressor {
	d := &decompressor{full: make(chan chunk, decompressChunks), free: make(chan []byte, decompressChunks),
		done: make(chan struct{}), exited: make(chan struct{})}
	for i := range decompressChunks {
		if i < len(bufs) {
			d.free <- bufs[i]
		} else {
			d.free <- make([]byte, readChunk)
		}
	}
	go d.run(r)
	return d
}

// run fills free chunks from r until r fails or ends, or the decompressor is closed.
func (d *decompressor) run(r io.Reader) {
	defer close(d.exited)
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
			d.free <- buf // there is room: the chunks are decompressChunks in all
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

// Close stops the goroutine, waits for it, and returns the chunks for another decompressor.
func (d *decompressor) Close() [][]byte {
	close(d.done)
	<-d.exited
	bufs := make([][]byte, 0, decompressChunks)
	if d.cur.data != nil {
		bufs = append(bufs, d.cur.data[:cap(d.cur.data)])
	}
	for len(bufs) < decompressChunks {
		select {
		case b := <-d.free:
			bufs = append(bufs, b)
		case c := <-d.full:
			bufs = append(bufs, c.data[:cap(c.data)])
		}
	}
	return bufs
}
