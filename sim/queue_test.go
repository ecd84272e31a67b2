package sim

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The queue pops events in (time, insertion order) whatever order they were pushed in, as a plain
// heap and as a calendar: with ties, with events pushed into the bucket being drained, and with
// events beyond the calendar's span.
func TestQueueOrder(t *testing.T) {
	t.Parallel()
	for _, width := range []time.Duration{0, 1, 7, 1000} {
		var q queue
		q.init(width)
		r := rand.New(rand.NewPCG(7, 7))
		type key struct {
			at  time.Duration
			seq int
		}
		var want, got []key
		seq := 0
		push := func(at time.Duration) {
			q.push(at, 0, int32(seq), 0)
			want = append(want, key{at, seq})
			seq++
		}
		for i := 0; i < 3000; i++ {
			push(time.Duration(r.IntN(8000))) // many ties; some beyond the ring at width 1
		}
		now := time.Duration(0)
		for q.len() > 0 {
			e := q.pop()
			if e.at < now {
				t.Fatalf("width %v: event at %v popped after %v", width, e.at, now)
			}
			now = e.at
			got = append(got, key{e.at, int(e.ref)})
			if len(got)%3 == 0 && seq < 6000 {
				push(now + time.Duration(r.IntN(50))) // possibly into the bucket being drained
			}
		}
		slices.SortStableFunc(want, func(a, b key) int { return cmp.Compare(a.at, b.at) })
		if !slices.Equal(got, want) {
			t.Errorf("width %v: events popped out of (time, insertion) order", width)
		}
	}
}

// Events at the same instant pop in the order they were scheduled wherever they waited: beyond
// the ring, in a bucket of the ring, or among the events of the current bucket, and in buckets
// small enough for the insertion sort and large enough for the general one.
func TestQueueTies(t *testing.T) {
	t.Parallel()
	for _, ties := range []int{3, 100} {
		var q queue
		q.init(1) // buckets of 1ns: the ring reaches 4096ns ahead
		const at = 10000
		ref := int32(0)
		push := func(at time.Duration) {
			q.push(at, 0, ref, 0)
			ref++
		}
		for range ties {
			push(at) // beyond the ring
		}
		push(at - 4000) // a step before them
		if e := q.pop(); e.at != at-4000 {
			t.Fatalf("ties=%d: popped %v first, want %v", ties, e.at, at-4000)
		}
		for range ties {
			push(at) // the far events are in the ring now: these go after them
		}
		push(at - 1)
		if e := q.pop(); e.at != at-1 {
			t.Fatalf("ties=%d: popped %v, want %v", ties, e.at, at-1)
		}
		if e := q.peek(); e.at != at || e.ref != 0 {
			t.Fatalf("ties=%d: next is event %d at %v, want event 0 at %v", ties, e.ref, e.at, at)
		}
		for range ties {
			push(at) // into the current bucket, after all the others
		}
		want := int32(0)
		for q.len() > 0 {
			e := q.pop()
			if want == int32(ties) {
				want++ // the event a step before
			}
			if want == int32(2*ties+1) {
				want++ // the event at at-1
			}
			if e.at != at || e.ref != want {
				t.Fatalf("ties=%d: popped event %d at %v, want event %d at %v", ties, e.ref, e.at, want, at)
			}
			want++
		}
	}
}
