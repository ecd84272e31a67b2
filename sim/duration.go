package sim

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const day = 24 * time.Hour

// durationHint is appended to messages about durations that cannot be read.
const durationHint = "durations are written like 15m, 8h, 90d, 1w, 12h30m or PT8H; months and years are not accepted because their length varies"

var errMonthYear = errors.New("months and years are not accepted because their length varies; write days (30d) or weeks (4w)")

// shortUnits are the units of the short form, longest first where one is a prefix of another.
// rank gives the order in which they must appear.
var shortUnits = []struct {
	name string
	unit time.Duration
	rank int
}{
	{"ms", time.Millisecond, 5},
	{"us", time.Microsecond, 6},
	{"µs", time.Microsecond, 6},
	{"ns", time.Nanosecond, 7},
	{"w", 7 * day, 0},
	{"d", day, 1},
	{"h", time.Hour, 2},
	{"m", time.Minute, 3},
	{"s", time.Second, 4},
}

// ParseDuration reads a duration written in the short form (15m, 8h, 90d, 1w, 12h30m, 1d9h5m,
// 30s, 1.5h) or in ISO 8601 (PT8H, P90D, P1DT2H, PT30M). Units are weeks, days, hours, minutes,
// seconds and their fractions; a day is 24 hours; the result is a whole number of seconds.
// Months, years, units below a second, bare numbers and negative durations are refused.
func ParseDuration(s string) (time.Duration, error) {
	d, err := parseDuration(s)
	if err == nil && d%time.Second != 0 {
		return 0, fmt.Errorf("%q is not a whole number of seconds; durations are whole seconds or more (30s, 15m)", s)
	}
	return d, err
}

func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration; " + durationHint)
	}
	if s[0] == '-' {
		return 0, fmt.Errorf("%q is negative; durations cannot be negative", s)
	}
	if s[0] == '+' {
		return 0, fmt.Errorf("%q: write durations without a sign", s)
	}
	if isNumber(s) {
		if strings.Trim(s, "0123456789") == "" {
			return 0, fmt.Errorf("%q is a bare number; give a unit, as in %sm, %sh or %sd", s, s, s, s)
		}
		return 0, fmt.Errorf("%q is a bare number; give a unit; %s", s, durationHint)
	}
	if s[0] == 'P' {
		return parseISO(s)
	}
	return parseShort(s)
}

// isNumber reports whether s is a number without a unit, such as 30, 1.5 or 1e3.
func isNumber(s string) bool {
	if strings.Trim(s, "0123456789.eE+-_") != "" {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// number reads a decimal number with an optional fraction at the start of s and returns its
// value scaled by unit, and the rest of s.
func number(s string, unit time.Duration) (time.Duration, string, bool) {
	i := 0
	var whole uint64
	overflow := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if whole > (math.MaxUint64-9)/10 {
			overflow = true
		} else {
			whole = whole*10 + uint64(s[i]-'0')
		}
		i++
	}
	if i == 0 {
		return 0, s, false
	}
	var frac, scale uint64 = 0, 1
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if scale <= math.MaxUint64/10/uint64(unit) {
				frac = frac*10 + uint64(s[i]-'0')
				scale *= 10
			}
			i++
		}
		if i == start {
			return 0, s, false
		}
	}
	u := uint64(unit)
	if overflow || whole > math.MaxInt64/u {
		return -1, s[i:], true
	}
	v := whole * u
	f := frac * u / scale
	if v > math.MaxInt64-f {
		return -1, s[i:], true
	}
	return time.Duration(v + f), s[i:], true
}

func add(total, v time.Duration) time.Duration {
	if v < 0 || total < 0 || total > math.MaxInt64-v {
		return -1
	}
	return total + v
}

var errTooLong = errors.New("is too long; the longest duration is about 292 years")

func parseShort(s string) (time.Duration, error) {
	orig := s
	var total time.Duration
	last := -1
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("%q is not a duration; %s", orig, durationHint)
		}
		rest := s[i:]
		j := 0
		for j < len(rest) && !(rest[j] >= '0' && rest[j] <= '9' || rest[j] == '.') {
			j++
		}
		unitName := rest[:j]
		if unitName == "" {
			return 0, fmt.Errorf("%q: a number has no unit; %s", orig, durationHint)
		}
		if isMonthYear(unitName) {
			return 0, fmt.Errorf("%q: %v", orig, errMonthYear)
		}
		found := false
		for _, u := range shortUnits {
			if u.name != unitName {
				continue
			}
			found = true
			if u.unit < time.Second {
				return 0, fmt.Errorf("%q: %s is below a second; durations are whole seconds or more (30s, 15m)", orig, unitName)
			}
			if u.rank <= last {
				return 0, fmt.Errorf("%q: units must each appear once, from the largest to the smallest, as in 1d9h5m", orig)
			}
			last = u.rank
			v, tail, ok := number(s[:i], u.unit)
			if !ok || tail != "" {
				return 0, fmt.Errorf("%q is not a duration; %s", orig, durationHint)
			}
			total = add(total, v)
			if total < 0 {
				return 0, fmt.Errorf("%q %v", orig, errTooLong)
			}
		}
		if !found {
			return 0, fmt.Errorf("%q: unknown unit %q; %s", orig, unitName, durationHint)
		}
		s = rest[j:]
	}
	return total, nil
}

func isMonthYear(unit string) bool {
	switch strings.ToLower(unit) {
	case "mo", "mon", "mos", "month", "months", "y", "yr", "yrs", "year", "years":
		return true
	}
	return unit == "M" || unit == "Y"
}

func parseISO(s string) (time.Duration, error) {
	orig := s
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration; write it like PT8H, P90D, P1DT2H or PT30M", orig)
	}
	s = s[1:]
	var total time.Duration
	time_ := false
	last := -1
	any := false
	for s != "" {
		if s[0] == 'T' {
			if time_ {
				return bad()
			}
			time_ = true
			s = s[1:]
			if s == "" {
				return bad()
			}
			continue
		}
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 || i == len(s) {
			return bad()
		}
		var unit time.Duration
		var rank int
		switch d := s[i]; {
		case d == 'Y' || d == 'M' && !time_:
			return 0, fmt.Errorf("%q: %v", orig, errMonthYear)
		case d == 'W' && !time_:
			unit, rank = 7*day, 0
		case d == 'D' && !time_:
			unit, rank = day, 1
		case d == 'H' && time_:
			unit, rank = time.Hour, 2
		case d == 'M' && time_:
			unit, rank = time.Minute, 3
		case d == 'S' && time_:
			unit, rank = time.Second, 4
		default:
			return bad()
		}
		if rank <= last {
			return bad()
		}
		last = rank
		v, tail, ok := number(s[:i], unit)
		if !ok || tail != "" {
			return bad()
		}
		total = add(total, v)
		if total < 0 {
			return 0, fmt.Errorf("%q %v", orig, errTooLong)
		}
		any = true
		s = s[i+1:]
	}
	if !any {
		return bad()
	}
	return total, nil
}

// FormatDuration writes d exactly in the short form that ParseDuration reads, with days as the
// largest unit and fractions of a second as decimals: "1d9h5m", "30m", "1m30.5s", "0s"; a
// duration under a millisecond is written in nanoseconds: "500000ns".
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	u := uint64(d)
	if d < 0 {
		b.WriteByte('-')
		u = -u
	}
	if u < uint64(time.Millisecond) {
		b.WriteString(strconv.FormatUint(u, 10))
		b.WriteString("ns")
		return b.String()
	}
	parts := []struct {
		unit uint64
		name string
	}{{uint64(day), "d"}, {uint64(time.Hour), "h"}, {uint64(time.Minute), "m"}}
	for _, p := range parts {
		if n := u / p.unit; n > 0 {
			b.WriteString(strconv.FormatUint(n, 10))
			b.WriteString(p.name)
			u %= p.unit
		}
	}
	if u > 0 {
		sec := uint64(time.Second)
		b.WriteString(strconv.FormatUint(u/sec, 10))
		if ns := u % sec; ns > 0 {
			f := fmt.Sprintf("%09d", ns)
			b.WriteByte('.')
			b.WriteString(strings.TrimRight(f, "0"))
		}
		b.WriteByte('s')
	}
	return b.String()
}

// RoundMillis rounds d to the millisecond, leaving a duration under a millisecond as it is: the
// precision at which messages and reports show measured times.
func RoundMillis(d time.Duration) time.Duration {
	if -time.Millisecond < d && d < time.Millisecond {
		return d
	}
	return d.Round(time.Millisecond)
}

// HumanDuration formats d compactly for people: 0s, 0.250s, 45s, 29m59s, 12h00m, 1h00m01s, 3d04h00m.
// Below a day whole seconds are kept, from a day on whole minutes; smaller parts are dropped, never rounded up.
func HumanDuration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	switch {
	case d == 0:
		return "0s"
	case d < time.Second:
		return fmt.Sprintf("%s%.3fs", sign, d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%s%ds", sign, d/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%s%dm%02ds", sign, d/time.Minute, d%time.Minute/time.Second)
	case d < day && d%time.Minute >= time.Second:
		return fmt.Sprintf("%s%dh%02dm%02ds", sign, d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second)
	case d < day:
		return fmt.Sprintf("%s%dh%02dm", sign, d/time.Hour, d%time.Hour/time.Minute)
	}
	return fmt.Sprintf("%s%dd%02dh%02dm", sign, d/day, d%day/time.Hour, d%time.Hour/time.Minute)
}
