package sim

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// The queue pops events in (time, insertion order), whatever order they were pushed in.
func TestQueueOrder(t *testing.T) {
	var q queue
	r := rand.New(rand.NewPCG(7, 7))
	type key struct {
		at  time.Duration
		ref int32
	}
	var pushed []key
	for i := 0; i < 5000; i++ {
		at := time.Duration(r.IntN(100)) // many ties, to exercise the insertion order
		q.push(at, 0, int32(i), 0)
		pushed = append(pushed, key{at, int32(i)})
		if i%3 == 0 && q.len() > 0 {
			// interleave replaceTop with push
			e := q.peek()
			q.replaceTop(e.at+time.Duration(r.IntN(50)), 0, int32(5000+i), 0)
		}
	}
	var last event
	for n := 0; q.len() > 0; n++ {
		e := q.pop()
		if n > 0 && e.before(&last) {
			t.Fatalf("event %d (%v, seq %d) popped after (%v, seq %d)", n, e.at, e.seq, last.at, last.seq)
		}
		last = e
	}
}

// The insertion sequence is renumbered before it wraps, keeping the order of queued events.
func TestQueueSequenceWrap(t *testing.T) {
	var q queue
	q.seq = math.MaxUint32 - 3
	for i := 0; i < 8; i++ {
		q.push(time.Duration(i%2), 0, int32(i), 0) // ties at 0 and 1
	}
	want := []int32{0, 2, 4, 6, 1, 3, 5, 7}
	for i, w := range want {
		if e := q.pop(); e.ref != w {
			t.Fatalf("pop %d = event %d, want %d", i, e.ref, w)
		}
	}
}
