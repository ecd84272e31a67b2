package trail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// BenchmarkRead reads a generated log (writeLog) into a Builder: as S3 delivers it, plain and
// gzip-compressed, and one record per line; and, beside them, only decompresses the gzip file
// with the decompressor Read uses (gunzip), so that one run gives the ratio of reading a gzip
// file to decompressing it. MB/s are of the uncompressed JSON, per second on the clock and per
// second of CPU time (MB/cpu-s, which counts every goroutine's time), with the share of the
// time that reading and decompressing waited on the scanning (%read-waits) and the scanning on
// them (%scan-waits).
//
// The log is 32 MiB generated in memory, or, when IDCSIM_TRAIL_LOG names a directory, the files
// TestWriteGeneratedLog wrote there (trail.json, trail.json.gz, trail.jsonl), read from disk:
//
//	IDCSIM_TRAIL_LOG=DIR IDCSIM_TRAIL_LOG_MB=1000 go test ./trail -run TestWriteGeneratedLog
//	IDCSIM_TRAIL_LOG=DIR go test ./trail -run '^$' -bench Read -benchtime 3x
func BenchmarkRead(b *testing.B) {
	dir := os.Getenv("IDCSIM_TRAIL_LOG")
	for _, c := range []struct {
		name, file string
		lines, gz  bool
	}{
		{"s3", "trail.json", false, false},
		{"s3-gzip", "trail.json.gz", false, true},
		{"gunzip", "trail.json.gz", false, true},
		{"lines", "trail.jsonl", true, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			open := benchLog(b, dir, c.file, c.lines, c.gz)
			runtime.GC() // the generation's garbage is not the reading's
			b.ResetTimer()
			cpu := cpuTime()
			var size int64
			var waited fetchStats
			for range b.N {
				if c.name == "gunzip" {
					size = benchGunzip(b, open())
					continue
				}
				bld := NewBuilder()
				var w fetchStats
				counts, err := Read(context.Background(), []string{"-"}, ReadOptions{Stdin: open(), stats: &w}, bld.Add)
				if err != nil {
					b.Fatal(err)
				}
				if counts.Problems != nil {
					b.Fatal(counts.Problems)
				}
				size = counts.Bytes
				waited.fetchWait += w.fetchWait
				waited.scanWait += w.scanWait
			}
			b.SetBytes(size)
			reportCPU(b, size, cpu)
			if c.name != "gunzip" {
				// the share of the time that reading (and decompressing) waited on the scanning,
				// and the other way: reading is limited by decompression when the first is 0
				elapsed := b.Elapsed().Seconds()
				b.ReportMetric(100*waited.fetchWait.Seconds()/elapsed, "%read-waits")
				b.ReportMetric(100*waited.scanWait.Seconds()/elapsed, "%scan-waits")
			}
		})
	}
}

// benchLog returns what opens a benchmark's log at each call: the file that
// TestWriteGeneratedLog wrote in dir, or, when dir is "", 32 MiB generated in memory (as lines,
// gzip-compressed, as generated says).
func benchLog(b *testing.B, dir, file string, lines, gz bool) func() io.Reader {
	if dir == "" {
		data := generated(b, 32<<20, lines, gz)
		return func() io.Reader { return bytes.NewReader(data) }
	}
	path := filepath.Join(dir, file)
	return func() io.Reader {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		return f
	}
}

// BenchmarkScan finds the records of a generated log of 32 MiB as S3 delivers it (value), and
// tells those worth decoding (relevant, judging them as Read does), without decoding them: the
// scanning goroutine's part of BenchmarkRead; value-noblocks finds them without the block
// scanner.
func BenchmarkScan(b *testing.B) {
	data := generated(b, 32<<20, false, false)
	for _, c := range []struct {
		name               string
		relevant, noBlocks bool
	}{{"value", false, false}, {"value-noblocks", false, true}, {"relevant", true, false}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			cpu := cpuTime()
			for range b.N {
				s := newScanner(bytes.NewReader(data), DefaultMaxRecord)
				s.noBlocks, s.judge = c.noBlocks, c.relevant
				s.fill()
				s.pos = len(`{"Records":[`)
				n := 0
				for {
					ch, ok := s.skipSpace()
					if !ok || ch == ']' {
						break
					}
					if ch == ',' {
						s.pos++
					}
					v, _, _, err := s.value()
					if err != nil {
						b.Fatal(err)
					}
					if s.passed {
						continue
					}
					if src, id, _ := s.sourceAndIdentity(); !c.relevant || relevantTo(v, src, id) {
						n++
					}
				}
				if n == 0 {
					b.Fatal("no records")
				}
			}
			reportCPU(b, int64(len(data)), cpu)
		})
	}
}

// benchGunzip decompresses r as Read does, and returns the size decompressed.
func benchGunzip(b *testing.B, r io.Reader) int64 {
	zr, err := gzip.NewReader(r)
	if err != nil {
		b.Fatal(err)
	}
	zr.Multistream(true)
	n, err := io.Copy(io.Discard, zr)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// reportCPU reports the MB of size bytes read by each of b.N runs per second of CPU time used
// since cpu, on all threads: what the machine's other work does not change as it changes the
// time on the clock.
func reportCPU(b *testing.B, size int64, cpu time.Duration) {
	if used := cpuTime() - cpu; used > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/used.Seconds(), "MB/cpu-s")
	}
}

// BenchmarkReadGzip reads the gzip log of BenchmarkRead into a Builder; only decompresses it;
// only fetches it (decompressed by the fetcher's goroutine, as Read does, each chunk given back
// as it arrives); and fetches it reading every byte (counting its quotes, the least a reader
// does): one after the other in each of b.N rounds. It reports the medians over the rounds of
// the ratios of their times on the clock, which a machine whose speed drifts from one minute to
// the next moves alike: fetch/gunzip is what handing the bytes over to another goroutine costs
// decompression, touch/fetch what reading them there costs it, read/touch what finding and
// decoding the records cost beyond reading their bytes, read/gunzip all of it. It reports the
// shares of the reading's time that decompression waited on the scanning (%read-waits) and the
// scanning on decompression (%scan-waits), medians over the rounds. Reading is limited by
// decompression when %read-waits is about 0: decompression is then busy all along, and
// read/touch is how much slower it goes beside the scanning's work.
//
//	IDCSIM_TRAIL_LOG=DIR go test ./trail -run '^$' -bench ReadGzip -benchtime 10x
func BenchmarkReadGzip(b *testing.B) {
	open := benchLog(b, os.Getenv("IDCSIM_TRAIL_LOG"), "trail.json.gz", false, true)
	runtime.GC()
	b.ResetTimer()
	var readGunzip, readTouch, touchFetch, fetchGunzip, fetchWaits, scanWaits []float64
	quotes := 0
	fetchOnly := func(touch bool) time.Duration {
		start := time.Now()
		f := newFetcher([]string{"-"}, open())
		for p := f.next(); !p.end; p = f.next() {
			if touch {
				quotes += bytes.Count(p.data, []byte{'"'})
			}
		}
		f.Close()
		return time.Since(start)
	}
	for range b.N {
		start := time.Now()
		benchGunzip(b, open())
		gunzip := time.Since(start)
		fetch, touch := fetchOnly(false), fetchOnly(true)
		var w fetchStats
		start = time.Now()
		if _, err := Read(context.Background(), []string{"-"}, ReadOptions{Stdin: open(), stats: &w}, NewBuilder().Add); err != nil {
			b.Fatal(err)
		}
		read := time.Since(start)
		readGunzip = append(readGunzip, read.Seconds()/gunzip.Seconds())
		readTouch = append(readTouch, read.Seconds()/touch.Seconds())
		touchFetch = append(touchFetch, touch.Seconds()/fetch.Seconds())
		fetchGunzip = append(fetchGunzip, fetch.Seconds()/gunzip.Seconds())
		fetchWaits = append(fetchWaits, 100*w.fetchWait.Seconds()/read.Seconds())
		scanWaits = append(scanWaits, 100*w.scanWait.Seconds()/read.Seconds())
	}
	if quotes == 0 {
		b.Fatal("no quotes fetched")
	}
	b.ReportMetric(median(readGunzip), "read/gunzip")
	b.ReportMetric(median(readTouch), "read/touch")
	b.ReportMetric(median(touchFetch), "touch/fetch")
	b.ReportMetric(median(fetchGunzip), "fetch/gunzip")
	b.ReportMetric(median(fetchWaits), "%read-waits")
	b.ReportMetric(median(scanWaits), "%scan-waits")
}

// median returns the median of v, which it sorts.
func median(v []float64) float64 {
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

// BenchmarkReadFiles reads directories of many gzip files, as S3 delivers a trail (a file every
// 5 minutes per account and region: a few kilobytes in a quiet account, a few hundred in a busy
// one), and, beside it, only decompresses the same files (gunzip): what each file costs beyond
// its bytes, and the ratio of reading to decompressing.
func BenchmarkReadFiles(b *testing.B) {
	for _, c := range []struct {
		size  int64
		files int
	}{{8 << 10, 400}, {256 << 10, 40}} {
		dir := b.TempDir()
		var paths []string
		for i := range c.files {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			if err := writeLog(zw, c.size, false, uint64(i)); err != nil {
				b.Fatal(err)
			}
			zw.Close()
			name := filepath.Join(dir, fmt.Sprintf("AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/04/f%04d.json.gz", i))
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
				b.Fatal(err)
			}
			paths = append(paths, name)
		}
		for _, gunzip := range []bool{false, true} {
			name := fmt.Sprintf("%dKiB/read", c.size>>10)
			if gunzip {
				name = fmt.Sprintf("%dKiB/gunzip", c.size>>10)
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				cpu := cpuTime()
				var size int64
				for range b.N {
					if gunzip {
						size = gunzipFiles(b, paths)
						continue
					}
					counts, err := Read(context.Background(), []string{dir}, ReadOptions{}, NewBuilder().Add)
					if err != nil || counts.Files != c.files || counts.Problems != nil {
						b.Fatal(err, counts)
					}
					size = counts.Bytes
				}
				b.SetBytes(size)
				reportCPU(b, size, cpu)
			})
		}
	}
}

// gunzipFiles decompresses the files at paths one after another, with one buffered reader and
// one gzip reader reset for each (as Read's), and returns the size decompressed.
func gunzipFiles(b *testing.B, paths []string) int64 {
	var zr *gzip.Reader
	br := bufio.NewReaderSize(nil, readChunk)
	var size int64
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		br.Reset(f)
		if zr == nil {
			zr, err = gzip.NewReader(br)
		} else {
			err = zr.Reset(br)
		}
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, zr)
		if err != nil {
			b.Fatal(err)
		}
		size += n
		f.Close()
	}
	return size
}
