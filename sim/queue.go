package sim

import (
	"cmp"
	"math/bits"
	"slices"
	"time"
)

// event is an entry of the event queue. Events are ordered by time, then by the order they were
// scheduled in: events at the same instant run in the order they were scheduled.
type event struct {
	at   time.Duration
	ref  int32  // the entity the event is about (a session, a user, a device...)
	gen  uint32 // the entity's generation when scheduled; a mismatch at pop means cancelled
	kind evKind
}

// stored is an event waiting in a bucket of the ring, in 16 bytes rather than 24: the low 56 bits
// of its time, which hold its time within the bucket (buckets are at most 1<<maxShift wide), share
// a word with its kind. The bucket gives the rest of the time back when the event is taken.
type stored struct {
	w   uint64 // at<<8 | kind
	ref int32
	gen uint32
}

func pack(e event) stored { return stored{uint64(e.at)<<8 | uint64(e.kind), e.ref, e.gen} }

// event unpacks x, an event of the bucket that starts at base, whose times within the bucket are
// the bits of mask.
func (x *stored) event(base time.Duration, mask uint64) event {
	return event{at: base | time.Duration(x.w>>8&mask), ref: x.ref, gen: x.gen, kind: evKind(x.w)}
}

type evKind uint8

// queue is the event queue: a calendar, a ring of time buckets of a power-of-two width, in front
// of a heap for the events beyond the ring. A bucket is kept unsorted, in the order its events
// were scheduled, until the clock reaches it; then its events are sorted once, latest first, and
// popped from the end. So scheduling is an append and popping takes the last element, with no
// heap to sift per event; the buckets hold a few to a few hundred events each, and a counting sort
// on the top bits of their times within the bucket sorts them in time linear in their number.
// A bucket is a chain of fixed-size chunks from a shared pool, so the ring takes memory in
// proportion to the events pending, not to its busiest bucket. Events are stored by value: once
// the pool has grown, scheduling does not allocate.
type queue struct {
	now    []event // now[:top] are the events of buckets up to cur, latest first
	top    int
	buf    []stored // a bucket's events in the order they were scheduled, to sort
	count  []int32  // the counting sort's counts
	ring   [ringSize]slot
	chunks [][chunkSize]stored
	next   []int32 // the chunk after each chunk of a bucket, or of the free list; -1 at the end
	free   int32   // first free chunk, or -1
	inRing int
	far    []farEvent // events beyond the ring, a heap
	farSeq uint64
	shift  uint  // the buckets are 1<<shift wide
	cur    int64 // the current bucket: events of buckets up to it are in now
}

const (
	ringSize    = 4096
	chunkSize   = 4  // events of a chunk: 64 bytes, a cache line
	smallBucket = 8  // buckets of up to this many events are sorted by insertion alone
	spread      = 1  // a counting sort has 1<<spread times more sub-buckets than events
	maxShift    = 55 // the widest buckets: stored keeps 56 bits of a time
)

// slot is a bucket of the ring: its n events in a chain of chunks, appended to at its tail.
type slot struct{ head, tail, n int32 }

// farEvent is an event beyond the ring, with its order of scheduling among them.
type farEvent struct {
	event
	seq uint64
}

func (a *farEvent) before(b *farEvent) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// init sets the width of the calendar's buckets, rounded down to a power of two nanoseconds (at
// most 1<<maxShift). A zero width makes the queue a single sorted bucket, for a handful of events
// far apart, which a calendar would reach through many empty buckets. A queue must be initialised
// before use.
func (q *queue) init(width time.Duration) {
	q.shift = 63
	if width > 0 {
		q.shift = min(uint(bits.Len64(uint64(width))-1), maxShift)
	}
	q.chunks, q.next = q.chunks[:0], q.next[:0]
	q.ring = [ringSize]slot{}
	q.inRing = 0
	q.free = -1
	q.reset()
}

func (q *queue) reset() {
	q.top = 0
	q.far = q.far[:0]
	if q.inRing > 0 {
		for i := range q.ring {
			if s := &q.ring[i]; s.n > 0 {
				q.release(s)
			}
		}
	}
	q.inRing = 0
	q.cur = 0
	q.farSeq = 0
}

func (q *queue) len() int { return q.top + q.inRing + len(q.far) }

func (q *queue) bucket(at time.Duration) int64 { return int64(at) >> q.shift }

// push schedules an event.
func (q *queue) push(at time.Duration, kind evKind, ref int32, gen uint32) {
	e := event{at: at, ref: ref, gen: gen, kind: kind}
	b := q.bucket(at)
	switch {
	case b <= q.cur:
		q.insertNow(e)
	case b-q.cur < ringSize:
		q.append(&q.ring[b%ringSize], e)
	default:
		q.pushFar(e)
	}
}

// insertNow puts e among the events of the current bucket, after those at the same instant.
func (q *queue) insertNow(e event) {
	// the first of the events (latest first) that are not later than e: e goes before them
	lo, hi := 0, q.top
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if q.now[m].at > e.at {
			lo = m + 1
		} else {
			hi = m
		}
	}
	q.now = slices.Insert(q.now[:q.top], lo, e)
	q.top++
}

// append adds e to the bucket's last chunk, taking a new chunk when it is full.
func (q *queue) append(s *slot, e event) {
	k := s.n % chunkSize
	if k == 0 {
		i := q.free
		if i >= 0 {
			q.free = q.next[i]
		} else {
			q.chunks = append(q.chunks, [chunkSize]stored{})
			q.next = append(q.next, -1)
			i = int32(len(q.chunks) - 1)
		}
		q.next[i] = -1
		if s.n == 0 {
			s.head = i
		} else {
			q.next[s.tail] = i
		}
		s.tail = i
	}
	q.chunks[s.tail][k] = pack(e)
	s.n++
	q.inRing++
}

// release empties the bucket and returns its chunks to the pool.
func (q *queue) release(s *slot) {
	i := s.head
	for left := s.n; ; left -= chunkSize {
		next := q.next[i]
		q.next[i] = q.free
		q.free = i
		if left <= chunkSize {
			break
		}
		i = next
	}
	q.inRing -= int(s.n)
	*s = slot{}
}

// take moves the bucket's events into now, latest first.
func (q *queue) take(s *slot) {
	n := int(s.n)
	buf := q.buf[:0]
	for i := s.head; ; i = q.next[i] {
		k := min(chunkSize, n-len(buf))
		buf = append(buf, q.chunks[i][:k]...)
		if len(buf) == n {
			break
		}
	}
	q.release(s)
	q.buf = buf
	base := time.Duration(q.cur << q.shift)
	mask := uint64(1)<<q.shift - 1
	if cap(q.now) < n {
		q.now = make([]event, n, 2*n)
	}
	now := q.now[:n]
	q.now, q.top = now, n
	if n <= smallBucket {
		for i, x := range buf {
			now[i] = x.event(base, mask)
		}
		// insertion sort: an event goes before the earlier ones at the same instant
		for i := 1; i < len(now); i++ {
			e := now[i]
			j := i
			for ; j > 0 && now[j-1].at <= e.at; j-- {
				now[j] = now[j-1]
			}
			now[j] = e
		}
		return
	}
	// Counting sort on the top bits of the time within the bucket, into 2^b sub-buckets, two to
	// four for each event; each sub-bucket's events are placed latest scheduled first, so that
	// those at the same instant pop in the order of scheduling.
	b := uint(bits.Len(uint(n))) + spread
	if b > q.shift {
		b = q.shift
	}
	sh := q.shift - b
	count := q.count[:0]
	count = append(count, make([]int32, 1<<b)...)
	for i := range buf {
		count[(buf[i].w>>8&mask)>>sh]++
	}
	acc := int32(0)
	for i := len(count) - 1; i >= 0; i-- {
		acc += count[i]
		count[i] = acc
	}
	for i := range buf {
		x := &buf[i]
		c := &count[(x.w>>8&mask)>>sh]
		*c--
		now[*c] = x.event(base, mask)
	}
	q.count = count
	// Finish with a stable insertion sort, latest first, which has little left to do; if events
	// crowd into a few sub-buckets and it has much more, a stable sort takes over.
	moves := 0
	for i := 1; i < len(now); i++ {
		e := now[i]
		j := i
		for ; j > 0 && now[j-1].at < e.at; j-- {
			now[j] = now[j-1]
		}
		now[j] = e
		if moves += i - j; moves > 8*n {
			slices.SortStableFunc(now, func(a, b event) int { return cmp.Compare(b.at, a.at) })
			return
		}
	}
}

// fill advances the calendar to the next bucket with events, once now[:top] is empty.
func (q *queue) fill() {
	for q.top == 0 && q.inRing+len(q.far) > 0 {
		if q.inRing == 0 {
			// nothing in the ring: jump to the bucket before the first far event
			q.cur = max(q.cur, q.bucket(q.far[0].at)-1)
		}
		q.cur++
		// far events that the ring now reaches move into it, in order, before any event can be
		// scheduled into their buckets: a bucket holds its events in the order of scheduling
		for len(q.far) > 0 && q.bucket(q.far[0].at)-q.cur < ringSize {
			e := q.far[0].event
			q.far = heapPop(q.far)
			q.append(&q.ring[q.bucket(e.at)%ringSize], e)
		}
		if s := &q.ring[q.cur%ringSize]; s.n > 0 {
			q.take(s)
		}
	}
}

// peek returns the earliest event; the queue must not be empty.
func (q *queue) peek() *event {
	if q.top == 0 {
		q.fill()
	}
	return &q.now[q.top-1]
}

// pop removes and returns the earliest event; the queue must not be empty.
func (q *queue) pop() event {
	if q.top == 0 {
		q.fill()
	}
	q.top--
	return q.now[q.top]
}

// pushFar adds e to the heap of far events.
func (q *queue) pushFar(e event) {
	f := farEvent{e, q.farSeq}
	q.farSeq++
	h := append(q.far, f)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !f.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = f
	q.far = h
}

func heapPop(h []farEvent) []farEvent {
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	if n > 0 {
		siftDown(h, 0)
	}
	return h
}

// siftDown moves h[i] down to its place.
func siftDown(h []farEvent, i int) {
	e := h[i]
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h[r].before(&h[c]) {
			c = r
		}
		if !h[c].before(&e) {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = e
}
