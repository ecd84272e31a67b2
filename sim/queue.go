package sim

import (
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
	seq  uint32 // the order of scheduling within its bucket, set to sort a bucket too wide for keys
	kind evKind
}

type evKind uint8

// queue is the event queue: a calendar, a ring of time buckets of a power-of-two width, in front
// of a heap for the events beyond the ring. A bucket is kept unsorted, in the order its events
// were scheduled, until the clock reaches it; then its events are sorted once, latest first, and
// popped from the end. So scheduling is an append and popping takes the last element, with no
// heap to sift per event; the buckets hold a few to a few hundred events each.
// A bucket is a chain of fixed-size chunks from a shared pool, so the ring takes memory in
// proportion to the events pending, not to its busiest bucket. Events are stored by value: once
// the pool has grown, scheduling does not allocate.
type queue struct {
	now    []event // now[:top] are the events of buckets up to cur, latest first
	top    int
	buf    []event  // a bucket's events in the order they were scheduled, to sort
	keys   []uint64 // sort keys of a bucket's events
	ring   [ringSize]slot
	chunks [][chunkSize]event
	next   []int32 // the chunk after each chunk of a bucket, or of the free list; -1 at the end
	free   int32   // first free chunk, or -1
	inRing int
	far    []farEvent // events beyond the ring, a heap
	farSeq uint64
	shift  uint  // the buckets are 1<<shift wide
	cur    int64 // the current bucket: events of buckets up to it are in now
}

const (
	ringSize  = 4096
	chunkSize = 8
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

// init sets the width of the calendar's buckets, rounded down to a power of two nanoseconds. A
// zero width makes the queue a single sorted bucket, for a handful of events far apart, which a
// calendar would reach through many empty buckets. A queue must be initialised before use.
func (q *queue) init(width time.Duration) {
	q.shift = 63
	if width > 0 {
		q.shift = uint(bits.Len64(uint64(width)) - 1)
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
			q.chunks = append(q.chunks, [chunkSize]event{})
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
	q.chunks[s.tail][k] = e
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
	src := q.buf[:0]
	for i := s.head; ; i = q.next[i] {
		k := min(chunkSize, int(s.n)-len(src))
		src = append(src, q.chunks[i][:k]...)
		if len(src) == int(s.n) {
			break
		}
	}
	q.release(s)
	q.buf = src
	now := append(q.now[:0], src...)
	q.now, q.top = now, len(now)
	if len(now) <= 32 {
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
	// Sort keys of the time within the bucket and the order of scheduling, then gather.
	idx := bits.Len(uint(len(src)))
	if int(q.shift)+idx > 64 {
		for i := range now {
			now[i].seq = uint32(i)
		}
		slices.SortFunc(now, func(a, b event) int {
			if a.at > b.at || (a.at == b.at && a.seq > b.seq) {
				return -1
			}
			return 1
		})
		return
	}
	base := src[0].at >> q.shift << q.shift
	keys := q.keys[:0]
	for i := range src {
		keys = append(keys, uint64(src[i].at-base)<<idx|uint64(i))
	}
	slices.Sort(keys)
	mask := uint64(1)<<idx - 1
	for i, k := range keys {
		now[len(now)-1-i] = src[k&mask]
	}
	q.keys = keys
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
