package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want time.Duration
		text string // FormatDuration of the value
	}{
		{"15m", 15 * time.Minute, "15m"},
		{"8h", 8 * time.Hour, "8h"},
		{"90d", 90 * day, "90d"},
		{"1w", 7 * day, "7d"},
		{"12h30m", 12*time.Hour + 30*time.Minute, "12h30m"},
		{"1d9h5m", day + 9*time.Hour + 5*time.Minute, "1d9h5m"},
		{"30s", 30 * time.Second, "30s"},
		{"0s", 0, "0s"},
		{"1.5h", 90 * time.Minute, "1h30m"},
		{"2w3d", 17 * day, "17d"},
		{"0.5m", 30 * time.Second, "30s"},
		{"PT8H", 8 * time.Hour, "8h"},
		{"P90D", 90 * day, "90d"},
		{"P1DT2H", 26 * time.Hour, "1d2h"},
		{"PT30M", 30 * time.Minute, "30m"},
		{"P1W", 7 * day, "7d"},
		{"PT1.5M", 90 * time.Second, "1m30s"},
		{"P1DT2H3M4S", day + 2*time.Hour + 3*time.Minute + 4*time.Second, "1d2h3m4s"},
		{"106751d23h47m16s", (1<<63 - 1) / time.Second * time.Second, "106751d23h47m16s"},
	} {
		got, err := ParseDuration(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", c.in, got, err, c.want)
			continue
		}
		if text := FormatDuration(got); text != c.text {
			t.Errorf("FormatDuration(%v) = %q, want %q", got, text, c.text)
		}
		if back, err := ParseDuration(FormatDuration(got)); err != nil || back != got {
			t.Errorf("round trip of %q gives %v, %v", c.in, back, err)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	t.Parallel()
	monthYear := "months and years are not accepted because their length varies"
	for _, c := range []struct{ in, msg string }{
		{"", "empty duration"},
		{"30", `"30" is a bare number; give a unit, as in 30m, 30h or 30d`},
		{"1.5", "bare number"},
		{"0", "bare number"},
		{"1mo", monthYear},
		{"2months", monthYear},
		{"1y", monthYear},
		{"1yr", monthYear},
		{"3M", monthYear},
		{"P1M", monthYear},
		{"P1Y", monthYear},
		{"P1Y2M", monthYear},
		{"-5m", "durations cannot be negative"},
		{"-PT5M", "durations cannot be negative"},
		{"+5m", "without a sign"},
		{"5 m", `unknown unit " m"`},
		{"5H", `unknown unit "H"`},
		{"abc", "durations are written like 15m, 8h, 90d, 1w"},
		{"1h30", "a number has no unit"},
		{"30m1h", "from the largest to the smallest"},
		{"1h2d", "from the largest to the smallest"},
		{"10ms", `"10ms": ms is below a second; durations are whole seconds or more`},
		{"1s1ms", "ms is below a second"},
		{"5ns", "ns is below a second"},
		{"1.5s", "not a whole number of seconds"},
		{"PT0.5S", "not a whole number of seconds"},
		{"1h1h", "from the largest to the smallest"},
		{"1..5h", "is not a duration"},
		{".5h", "is not a duration"},
		{"P", "is not an ISO 8601 duration"},
		{"PT", "is not an ISO 8601 duration"},
		{"P1H", "is not an ISO 8601 duration"},
		{"PT1D", "is not an ISO 8601 duration"},
		{"P1DT", "is not an ISO 8601 duration"},
		{"pt8h", "is not a duration"},
		{"106751d23h47m16.854775808s", "too long"},
		{"99999999999999999999h", "too long"},
	} {
		_, err := ParseDuration(c.in)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("ParseDuration(%q) = %v, want an error containing %q", c.in, err, c.msg)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{time.Nanosecond, "1ns"},
		{33*time.Hour + 5*time.Minute, "1d9h5m"},
		{-90 * time.Minute, "-1h30m"},
		{-1 << 63, "-106751d23h47m16.854775808s"},
	} {
		if got := FormatDuration(c.d); got != c.want {
			t.Errorf("FormatDuration(%d) = %q, want %q", c.d, got, c.want)
		}
	}
}

func ExampleParseDuration() {
	for _, s := range []string{"1d9h5m", "PT8H", "1w", "1.5h", "1mo"} {
		d, err := ParseDuration(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(s, "=", d, "=", FormatDuration(d))
	}
	// Output:
	// 1d9h5m = 33h5m0s = 1d9h5m
	// PT8H = 8h0m0s = 8h
	// 1w = 168h0m0s = 7d
	// 1.5h = 1h30m0s = 1h30m
	// "1mo": months and years are not accepted because their length varies; write days (30d) or weeks (4w)
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"15m", "8h", "90d", "1w", "12h30m", "1d9h5m", "30s", "PT8H", "P90D",
		"P1DT2H", "PT30M", "1.5h", "0s", "1mo", "P1M", "-5m", "30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v, negative", s, d)
		}
		text := FormatDuration(d)
		back, err := ParseDuration(text)
		if err != nil {
			t.Fatalf("ParseDuration(FormatDuration(%v) = %q): %v", d, text, err)
		}
		if back != d {
			t.Fatalf("ParseDuration(%q) = %v, then FormatDuration %q gives back %v", s, d, text, back)
		}
	})
}

func TestHumanDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0:                                 "0s",
		500 * time.Millisecond:            "0.500s",
		45 * time.Second:                  "45s",
		1799999 * time.Millisecond:        "29m59s",
		12 * time.Hour:                    "12h00m",
		12*time.Hour + 59*time.Second:     "12h00m59s",
		time.Hour + 1500*time.Millisecond: "1h00m01s",
		76 * time.Hour:                    "3d04h00m",
	} {
		if got := HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRoundMillis(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]time.Duration{
		1118 * time.Millisecond:                   1118 * time.Millisecond,
		2*time.Minute + 37645600*time.Microsecond: 2*time.Minute + 37646*time.Millisecond, // to the nearest
		500 * time.Microsecond:                    500 * time.Microsecond,                 // kept: under a millisecond
		-time.Nanosecond:                          -time.Nanosecond,
	} {
		if got := RoundMillis(d); got != want {
			t.Errorf("RoundMillis(%v) = %v, want %v", d, got, want)
		}
	}
}

// The messages and reports that show measured times at the millisecond keep their form: these
// are the cases of the formatter they used before.
func TestFormatDurationRounded(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0: "0s", h("1d9h5m"): "1d9h5m", h("30m"): "30m", h("2m37.6456s"): "2m37.646s",
		h("500us"): "500000ns", -h("1h"): "-1h", h("90s"): "1m30s",
	} {
		if got := FormatDuration(RoundMillis(d)); got != want {
			t.Errorf("FormatDuration(RoundMillis(%v)) = %q, want %q", d, got, want)
		}
	}
}
