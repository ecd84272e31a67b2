package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// hold runs the hold model: n entities, each event reschedules its own entity at now + a delay
// drawn by holdDelay, until the horizon, on a calendar of the engine's buckets. It returns the
// number of events processed.
func hold(q *queue, n int, horizon time.Duration, r *rand.Rand) int64 {
	q.init(bucketWidth)
	for i := 0; i < n; i++ {
		q.push(holdDelay(r), 0, int32(i), 0)
	}
	var events int64
	for q.len() > 0 {
		if q.peek().at > horizon {
			break
		}
		events++
		e := q.pop()
		q.push(e.at+holdDelay(r), 0, e.ref, 0)
	}
	return events
}

// holdQuantiles are the quantiles 0, 1/4096, ..., 1 of the delay from an event of the hold model
// to its entity's next, shaped like the delays of the organisation model (orgScenario with 10,000
// people over 30 days, whose median delay is 45 minutes, 90th percentile 8 hours, 99th 64 hours):
// 80% activities of the working day, log-normal with median 35 minutes and σ 1.3; 10% session
// ends and the end of the day, 5 to 9 hours ahead; 8% the next morning, 14 to 18 hours ahead; 2%
// the Monday after a weekend, 62 to 66 hours ahead. The mean is about 4.3 hours.
var holdQuantiles = func() []time.Duration {
	r := rand.New(rand.NewPCG(3, 3))
	between := func(lo, hi time.Duration) time.Duration { return lo + time.Duration(r.Int64N(int64(hi-lo))) }
	xs := make([]time.Duration, 1<<20)
	for i := range xs {
		switch u := r.Float64(); {
		case u < 0.8:
			xs[i] = time.Duration(float64(35*time.Minute) * math.Exp(1.3*r.NormFloat64()))
		case u < 0.9:
			xs[i] = between(5*time.Hour, 9*time.Hour)
		case u < 0.98:
			xs[i] = between(14*time.Hour, 18*time.Hour)
		default:
			xs[i] = between(62*time.Hour, 66*time.Hour)
		}
	}
	slices.Sort(xs)
	q := make([]time.Duration, holdSteps+1)
	for i := range holdSteps {
		q[i] = xs[i*len(xs)/holdSteps]
	}
	q[holdSteps] = xs[len(xs)-1]
	return q
}()

const holdSteps = 4096

// holdDelay draws a delay of the hold model, interpolating between holdQuantiles: one draw of 64
// bits, cheap beside the queue's work, and the same for the engine's queue and the baseline.
func holdDelay(r *rand.Rand) time.Duration {
	x := r.Uint64()
	i := x >> 52 // 12 bits: the step
	lo, hi := holdQuantiles[i], holdQuantiles[i+1]
	return lo + time.Duration(float64(hi-lo)*float64(x&(1<<52-1))*(1.0/(1<<52)))
}

// holdHorizon is the horizon at which the hold model of n entities processes about holdEvents
// events: n entities have n/mean events an hour.
func holdHorizon(n int) time.Duration {
	var sum float64
	for i := range holdSteps {
		sum += float64(holdQuantiles[i]+holdQuantiles[i+1]) / 2
	}
	mean := sum / holdSteps
	return time.Duration(holdEvents * mean / float64(n))
}

const holdEvents = 5e6

func BenchmarkHold(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			horizon := holdHorizon(n)
			var events int64
			var q queue
			pcg := rand.NewPCG(1, 0x9E3779B97F4A7C15)
			r := rand.New(pcg)
			hold(&q, n, horizon, r) // grow the queue once
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				pcg.Seed(1, 0x9E3779B97F4A7C15)
				events = hold(&q, n, horizon, r)
			}
			b.ReportMetric(float64(events), "events")
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// With N entities and a mean delay m between an entity's events, the hold model processes about
// N × horizon/m events, holdEvents at holdHorizon(N); the baseline heap4 processes the same.
func TestHoldEventCount(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs 10 million events")
	}
	const n = 10000
	var q queue
	got := hold(&q, n, holdHorizon(n), rand.New(rand.NewPCG(1, 0x9E3779B97F4A7C15)))
	if got < holdEvents*0.99 || got > holdEvents*1.01 {
		t.Errorf("hold(%d) = %d events, want %d ± 1%%", n, got, int(holdEvents))
	}
	var h heap4
	if want := holdHeap4(&h, n, holdHorizon(n), rand.New(rand.NewPCG(1, 0x9E3779B97F4A7C15))); got != want {
		t.Errorf("hold(%d) = %d events, heap4 %d", n, got, want)
	}
}

// heap4 is the baseline the engine's queue is measured against: a minimal 4-ary min-heap of
// the hold model's entities by time, padded with sentinels so that every node has four
// children and the least of them is chosen without branches.
type heap4 struct{ a []heap4Entry }

type heap4Entry struct {
	at  time.Duration
	ref int32
}

// heap4Never is the time of the sentinels: later than any event.
const heap4Never = time.Duration(1<<63 - 1)

// reset empties the heap and fills the room of n entries and their children with sentinels.
func (h *heap4) reset(n int) {
	if cap(h.a) < 4*n+5 {
		h.a = make([]heap4Entry, 0, 4*n+5)
	}
	full := h.a[:cap(h.a)]
	for j := range full {
		full[j] = heap4Entry{at: heap4Never}
	}
	h.a = h.a[:0]
}

// push adds an entry, sifting it up; the sentinels of reset follow the last entry.
func (h *heap4) push(e heap4Entry) {
	i := len(h.a)
	h.a = append(h.a, e)
	for i > 0 {
		p := (i - 1) / 4
		if h.a[p].at <= e.at {
			break
		}
		h.a[i] = h.a[p]
		i = p
	}
	h.a[i] = e
}

// replaceTop replaces the earliest entry by e, sifting it down.
func (h *heap4) replaceTop(e heap4Entry) {
	a := h.a[:cap(h.a)]
	i := 0
	for {
		c := 4*i + 1
		if c+3 >= len(a) {
			break
		}
		kids := a[c : c+4 : c+4]
		m01 := b2i(kids[1].at < kids[0].at)
		m23 := 2 + b2i(kids[3].at < kids[2].at)
		m := m01
		if kids[m23].at < kids[m01].at {
			m = m23
		}
		if kids[m].at >= e.at {
			break
		}
		a[i] = kids[m]
		i = c + m
	}
	a[i] = e
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// holdHeap4 runs the hold model of hold on a heap4: the same draws in the same order, so the
// same events.
func holdHeap4(h *heap4, n int, horizon time.Duration, r *rand.Rand) int64 {
	h.reset(n)
	for i := 0; i < n; i++ {
		h.push(heap4Entry{holdDelay(r), int32(i)})
	}
	var events int64
	for h.a[0].at <= horizon {
		events++
		top := h.a[0]
		h.replaceTop(heap4Entry{top.at + holdDelay(r), top.ref})
	}
	return events
}

// The baseline processes the same events as the engine's queue: the same count, in order of
// time (no two events fall on the same nanosecond with these draws).
func TestHoldHeap4(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 5, 1000} {
		var q queue
		var h heap4
		want := hold(&q, n, 100*time.Hour, rand.New(rand.NewPCG(1, 2)))
		if got := holdHeap4(&h, n, 100*time.Hour, rand.New(rand.NewPCG(1, 2))); got != want {
			t.Errorf("n=%d: heap4 %d events, the engine's queue %d", n, got, want)
		}
		for i := 1; i < len(h.a); i++ { // still a heap
			if h.a[(i-1)/4].at > h.a[i].at {
				t.Fatalf("n=%d: entry %d before its parent", n, i)
			}
		}
	}
}

// BenchmarkHoldHeap4 is BenchmarkHold on the baseline heap4.
func BenchmarkHoldHeap4(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			horizon := holdHorizon(n)
			var events int64
			var h heap4
			pcg := rand.NewPCG(1, 0x9E3779B97F4A7C15)
			r := rand.New(pcg)
			holdHeap4(&h, n, horizon, r)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				pcg.Seed(1, 0x9E3779B97F4A7C15)
				events = holdHeap4(&h, n, horizon, r)
			}
			b.ReportMetric(float64(events), "events")
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkHoldRatio runs the hold model on the engine's queue and on heap4 in turn, holdRounds
// times, which goes first alternating, and reports the median of the rounds' events/s of each
// and of their ratio (the engine's speed over the baseline's, x-heap4), so that both see the
// same machine.
func BenchmarkHoldRatio(b *testing.B) {
	const holdRounds = 5
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			horizon := holdHorizon(n)
			var q queue
			var h heap4
			pcg := rand.NewPCG(1, 0x9E3779B97F4A7C15)
			r := rand.New(pcg)
			hold(&q, n, horizon, r) // grow both once
			holdHeap4(&h, n, horizon, r)
			// timed returns the events/s of one run.
			timed := func(run func() int64) float64 {
				pcg.Seed(1, 0x9E3779B97F4A7C15)
				start := time.Now()
				events := run()
				return float64(events) / time.Since(start).Seconds()
			}
			var engine, base, ratio []float64
			for b.Loop() {
				for round := range holdRounds {
					var e, x float64
					if round%2 == 0 {
						e = timed(func() int64 { return hold(&q, n, horizon, r) })
						x = timed(func() int64 { return holdHeap4(&h, n, horizon, r) })
					} else {
						x = timed(func() int64 { return holdHeap4(&h, n, horizon, r) })
						e = timed(func() int64 { return hold(&q, n, horizon, r) })
					}
					engine, base, ratio = append(engine, e), append(base, x), append(ratio, e/x)
				}
			}
			b.ReportMetric(median(engine), "engine-events/s")
			b.ReportMetric(median(base), "heap4-events/s")
			b.ReportMetric(median(ratio), "x-heap4")
		})
	}
}

// median returns the median of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
