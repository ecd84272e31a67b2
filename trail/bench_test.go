package trail

import (
	"bytes"
	"context"
	"runtime"
	"testing"
)

// BenchmarkRead reads a generated log of 32 MiB (writeLog), as S3 delivers it, plain and
// gzip-compressed, and one record per line, into a Builder; MB/s are of the uncompressed JSON,
// per second on the clock and per second of CPU time (MB/cpu-s, which counts the gzip
// goroutine's time too).
func BenchmarkRead(b *testing.B) {
	for _, c := range []struct {
		name      string
		lines, gz bool
	}{{"s3", false, false}, {"s3-gzip", false, true}, {"lines", true, false}} {
		b.Run(c.name, func(b *testing.B) {
			data := generated(b, 32<<20, c.lines, c.gz)
			var size int64
			runtime.GC() // the generation's garbage is not the reading's
			b.ResetTimer()
			cpu := cpuTime()
			for range b.N {
				bld := NewBuilder()
				counts, err := Read(context.Background(), []string{"-"}, ReadOptions{Stdin: bytes.NewReader(data)}, bld.Add)
				if err != nil {
					b.Fatal(err)
				}
				size = counts.Bytes
			}
			b.SetBytes(size)
			// MB per second of CPU time, on all threads: what the machine's other work does not
			// change as it changes the time on the clock
			if used := cpuTime() - cpu; used > 0 {
				b.ReportMetric(float64(size)*float64(b.N)/1e6/used.Seconds(), "MB/cpu-s")
			}
		})
	}
}
