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

// queue is a binary min-heap of events stored by value, so that scheduling does not allocate
// once the backing array has grown to the model's size.
type queue struct {
	h   []event
	seq uint32
}

func (q *queue) reset() {
	q.h = q.h[:0]
	q.seq = 0
}

func (q *queue) len() int { return len(q.h) }

// push schedules an event.
func (q *queue) push(at time.Duration, kind evKind, ref int32, gen uint32) {
	e := event{at: at, seq: q.nextSeq(), ref: ref, gen: gen, kind: kind}
	q.h = append(q.h, e)
	h := q.h
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
}

// peek returns the earliest event; the queue must not be empty.
func (q *queue) peek() *event { return &q.h[0] }

// pop removes and returns the earliest event; the queue must not be empty.
func (q *queue) pop() event {
	h := q.h
	top := h[0]
	n := len(h) - 1
	last := h[n]
	q.h = h[:n]
	if n > 0 {
		q.siftDown(last)
	}
	return top
}

// replaceTop removes the earliest event and schedules another in one pass: the common case of an
// entity that reschedules itself.
func (q *queue) replaceTop(at time.Duration, kind evKind, ref int32, gen uint32) {
	e := event{at: at, seq: q.nextSeq(), ref: ref, gen: gen, kind: kind}
	q.siftDown(e)
}

// siftDown places e at the root and moves it down to its place. It first walks the path of
// least children to the bottom without comparing against e, then climbs back up to e's place:
// a rescheduled entity usually belongs near the bottom, so this saves a comparison per level.
func (q *queue) siftDown(e event) {
	h := q.h
	n := len(h)
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		end := c + 2
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if h[j].before(&h[c]) {
				c = j
			}
		}
		h[i] = h[c]
		i = c
	}
	for i > 0 {
		p := (i - 1) / 2
		if !e.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// nextSeq returns the next insertion sequence number. Before the 32-bit counter wraps, the queued
// events are renumbered in their order, which keeps the order of everything still to come.
func (q *queue) nextSeq() uint32 {
	if q.seq == math.MaxUint32 {
		slices.SortFunc(q.h, func(a, b event) int {
			if a.before(&b) {
				return -1
			}
			return 1
		})
		for i := range q.h {
			q.h[i].seq = uint32(i)
		}
		q.seq = uint32(len(q.h))
	}
	s := q.seq
	q.seq++
	return s
}
