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

// A bucket whose events all fall in one sub-bucket of the counting sort, scheduled latest first,
// leaves the insertion sort that finishes it too much to do: it hands over to a stable sort, and
// the events still pop in (time, insertion) order.
func TestQueueCrowdedBucket(t *testing.T) {
	t.Parallel()
	var q queue
	q.init(1 << 20) // one bucket of about 1ms: 300 events have 1024 sub-buckets 1024ns wide
	const n = 300
	type key struct {
		at  time.Duration
		ref int32
	}
	var want []key
	for i := range n {
		at := 2<<20 + time.Duration(n-i)/3 // latest first, in threes at the same instant
		q.push(at, 0, int32(i), 0)
		want = append(want, key{at, int32(i)})
	}
	slices.SortStableFunc(want, func(a, b key) int { return cmp.Compare(a.at, b.at) })
	for i, w := range want {
		if e := q.pop(); e.at != w.at || e.ref != w.ref {
			t.Fatalf("pop %d: event %d at %v, want event %d at %v", i, e.ref, e.at, w.ref, w.at)
		}
	}
}

// An event pops with the time, kind, entity and generation it was scheduled with, whichever part
// of the queue it waited in, even when its time needs more bits than a bucket keeps (56) and its
// generation all 32.
func TestQueueKeepsFields(t *testing.T) {
	t.Parallel()
	for _, width := range []time.Duration{0, time.Minute, 1 << 62} { // 1<<62 is cut to 1<<55
		var q queue
		q.init(width)
		var want []event
		for i, at := range []time.Duration{time.Hour, 90 * 24 * time.Hour, 1<<60 + 12345, 1<<62 + 3<<55 + 7} {
			e := event{at: at, ref: int32(-1 - i), gen: math.MaxUint32 - uint32(i), kind: evKind(255 - i)}
			q.push(e.at, e.kind, e.ref, e.gen)
			want = append(want, e)
		}
		for _, w := range want {
			if e := q.pop(); e != w {
				t.Errorf("width %v: popped %+v, want %+v", width, e, w)
			}
		}
	}
}
