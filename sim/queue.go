package sim

import (
	"math"
	"slices"
	"time"
)

// event is an entry of the event queue. Events are ordered by (at, seq); seq is the insertion
// sequence, so events at the same instant run in the order they were scheduled.
type event struct {
	at   time.Duration
	seq  uint32
	ref  int32  // the entity the event is about (a session, a user, a device...)
	gen  uint32 // the entity's generation when scheduled; a mismatch at pop means cancelled
	kind evKind
}

type evKind uint8

func (a *event) before(b *event) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// queue is the event queue: a ring of time buckets (a calendar) in front of a binary min-heap.
// Only the events of the current bucket are in the heap; the next ringSize buckets wait, unsorted,
// in the ring until the clock reaches them, and events further ahead in a second heap. So the heap
// stays small and in cache however many events are pending, and most scheduling is an append.
// A bucket is a chain of fixed-size chunks from a shared pool, so the ring takes memory in
// proportion to the events pending, not to its busiest minute. Events are stored by value: once
// the pool has grown, scheduling does not allocate.
type queue struct {
	h      []event // events of buckets up to cur, a heap
	ring   [ringSize]chain
	chunks []chunk
	free   int32 // first free chunk, or -1
	inRing int
	far    []event // events beyond the ring, a heap
	width  time.Duration
	cur    int64 // the current bucket: events of buckets up to it are in h
	n      int   // events queued in all
	seq    uint32
}

const (
	ringSize  = 4096
	chunkSize = 32
)

// chain is a bucket: a list of chunks, appended to at its tail.
type chain struct{ head, tail int32 }

type chunk struct {
	ev   [chunkSize]event
	n    int32
	next int32
}

// init sets the width of the calendar's buckets; a zero width makes the queue a plain heap.
// A queue must be initialised before use.
func (q *queue) init(width time.Duration) {
	q.width = width
	q.chunks = q.chunks[:0]
	for i := range q.ring {
		q.ring[i] = chain{-1, -1}
	}
	q.free = -1
	q.reset()
}

func (q *queue) reset() {
	q.h = q.h[:0]
	q.far = q.far[:0]
	if q.inRing > 0 {
		for i := range q.ring {
			q.drain(&q.ring[i], nil)
		}
	}
	q.inRing = 0
	q.cur = 0
	q.n = 0
	q.seq = 0
}

func (q *queue) len() int { return q.n }

func (q *queue) bucket(at time.Duration) int64 { return int64(at / q.width) }

// push schedules an event.
func (q *queue) push(at time.Duration, kind evKind, ref int32, gen uint32) {
	e := event{at: at, seq: q.nextSeq(), ref: ref, gen: gen, kind: kind}
	q.n++
	q.place(e)
}

func (q *queue) place(e event) {
	if q.width > 0 {
		if b := q.bucket(e.at); b > q.cur {
			if b-q.cur < ringSize {
				q.append(&q.ring[b%ringSize], e)
				q.inRing++
			} else {
				q.far = heapPush(q.far, e)
			}
			return
		}
	}
	q.h = heapPush(q.h, e)
}

// append adds e to the bucket's last chunk, taking a new chunk when it is full.
func (q *queue) append(c *chain, e event) {
	if c.tail < 0 || q.chunks[c.tail].n == chunkSize {
		i := q.free
		if i >= 0 {
			q.free = q.chunks[i].next
		} else {
			q.chunks = append(q.chunks, chunk{})
			i = int32(len(q.chunks) - 1)
		}
		q.chunks[i].n, q.chunks[i].next = 0, -1
		if c.tail < 0 {
			c.head = i
		} else {
			q.chunks[c.tail].next = i
		}
		c.tail = i
	}
	k := &q.chunks[c.tail]
	k.ev[k.n] = e
	k.n++
}

// drain empties the bucket into h (when not nil) and returns its chunks to the pool.
func (q *queue) drain(c *chain, h *[]event) {
	for i := c.head; i >= 0; {
		k := &q.chunks[i]
		if h != nil {
			*h = append(*h, k.ev[:k.n]...)
		}
		next := k.next
		k.next = q.free
		q.free = i
		i = next
	}
	*c = chain{-1, -1}
}

// fill advances the calendar to the next bucket with events, once the heap is empty.
func (q *queue) fill() {
	for len(q.h) == 0 && q.n > 0 {
		if q.inRing == 0 {
			// nothing in the ring: jump to the bucket before the first far event
			q.cur = max(q.cur, q.bucket(q.far[0].at)-1)
		}
		q.cur++
		// far events that the ring now reaches move into it (or into the heap)
		for len(q.far) > 0 && q.bucket(q.far[0].at)-q.cur < ringSize {
			e := q.far[0]
			q.far = heapPop(q.far)
			q.place(e)
		}
		if c := &q.ring[q.cur%ringSize]; c.head >= 0 {
			q.drain(c, &q.h)
			q.inRing -= len(q.h)
			for i := len(q.h)/2 - 1; i >= 0; i-- {
				siftDown(q.h, i)
			}
		}
	}
}

// peek returns the earliest event; the queue must not be empty.
func (q *queue) peek() *event {
	q.fill()
	return &q.h[0]
}

// pop removes and returns the earliest event; the queue must not be empty.
func (q *queue) pop() event {
	q.fill()
	top := q.h[0]
	q.h = heapPop(q.h)
	q.n--
	return top
}

func heapPop(h []event) []event {
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	if n > 0 {
		siftDown(h, 0)
	}
	return h
}

func heapPush(h []event, e event) []event {
	h = append(h, e)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !e.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
	return h
}

// siftDown moves h[i] down to its place.
func siftDown(h []event, i int) {
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

// nextSeq returns the next insertion sequence number. Before the 32-bit counter wraps, every
// queued event is renumbered in (time, sequence) order, which keeps the order of all still to come.
func (q *queue) nextSeq() uint32 {
	if q.seq == math.MaxUint32 {
		var all []*event
		for i := range q.h {
			all = append(all, &q.h[i])
		}
		for _, c := range q.ring {
			for i := c.head; q.inRing > 0 && i >= 0; i = q.chunks[i].next {
				k := &q.chunks[i]
				for j := range k.ev[:k.n] {
					all = append(all, &k.ev[j])
				}
			}
		}
		for i := range q.far {
			all = append(all, &q.far[i])
		}
		slices.SortFunc(all, func(a, b *event) int {
			if a.before(b) {
				return -1
			}
			return 1
		})
		for i, e := range all {
			e.seq = uint32(i)
		}
		q.seq = uint32(len(all))
	}
	s := q.seq
	q.seq++
	return s
}
