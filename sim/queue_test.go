package sim

import (
	"cmp"
	"math"
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

// The insertion sequence is renumbered before it wraps, keeping the order of queued events.
func TestQueueSequenceWrap(t *testing.T) {
	t.Parallel()
	var q queue
	q.init(1)
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
