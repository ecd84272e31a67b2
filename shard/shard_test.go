package shard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"idcsim/scenarios"
	"idcsim/sim"
)

// testScenario reads a scenario of testdata: random.yaml (a run of 13 replications by default
// here) or sweep.yaml.
func testScenario(t testing.TB, name string) (*sim.Scenario, []byte) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	return sc, src
}

// setOverrides applies the seed and replications of the overrides; the profile is not tested here.
func setOverrides(sc *sim.Scenario, ov Overrides) error {
	if ov.Seed != nil {
		sc.Seed = *ov.Seed
	}
	if ov.Replications != nil {
		sc.Replications = *ov.Replications
	}
	if ov.Profile != "" {
		return errors.New("no profiles here")
	}
	return nil
}

// writeRun runs random.yaml with 5 replications in n shards and writes their partial reports
// into a new directory, one subdirectory each; it returns that directory and the whole run.
func writeRun(t *testing.T, n int, key []byte) (string, *sim.Results) {
	t.Helper()
	sc, src := testScenario(t, "random.yaml")
	reps := 5
	ov := Overrides{Replications: &reps}
	if err := setOverrides(sc, ov); err != nil {
		t.Fatal(err)
	}
	whole, err := sim.Run(context.Background(), sc, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	for i := range n {
		sh := sim.Shard{I: i, N: n}
		res, err := sim.Run(context.Background(), sc, sim.Options{Shard: sh})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewRun("random.yaml", src, sc, ov, sh, res).Write(filepath.Join(tmp, fmt.Sprint("s", i)), key); err != nil {
			t.Fatal(err)
		}
	}
	return tmp, whole
}

// The partial reports of every shard, written and read back, merge to the results of the whole
// run, with and without a key.
func TestWriteReadMergeRun(t *testing.T) {
	t.Parallel()
	for _, key := range [][]byte{nil, []byte("k")} {
		dir, whole := writeRun(t, 3, key)
		set, err := Read([]string{dir}, key)
		if err != nil {
			t.Fatal(err)
		}
		if set.Kind() != KindRun || len(set.parts) != 3 {
			t.Fatalf("kind %s, %d parts; want run, 3", set.Kind(), len(set.parts))
		}
		sc, err := set.Scenario(setOverrides)
		if err != nil {
			t.Fatal(err)
		}
		merged, err := set.MergeRun(sc)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(merged.Offboardings, whole.Offboardings) || merged.Events != whole.Events || merged.Counters != whole.Counters {
			t.Errorf("key %q: the merged shards differ from the whole run", key)
		}
	}
}

// Problems with the partial reports are an *Error (bad input); a directory that does not exist
// is an *fs.PathError, as os reports it.
func TestErrorTypes(t *testing.T) {
	t.Parallel()
	dir, _ := writeRun(t, 2, nil)
	var e *Error
	if _, err := Read([]string{dir}, []byte("key")); !errors.As(err, &e) || !strings.Contains(err.Error(), "$.content_hmac_sha256: missing") {
		t.Errorf("a shard without the HMAC: %v (%T), want an *Error", err, err)
	}
	if _, err := Read([]string{filepath.Join(dir, "s0")}, nil); !errors.As(err, &e) || !strings.Contains(err.Error(), "shards 1 of 2 are missing") {
		t.Errorf("a missing shard: %v (%T), want an *Error", err, err)
	}
	var pe *fs.PathError
	_, err := Read([]string{filepath.Join(dir, "none")}, nil)
	if !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) || errors.As(err, &e) {
		t.Errorf("a directory that does not exist: %v (%T), want an *fs.PathError", err, err)
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	seed, seed2, reps := uint64(9), uint64(9), 4
	a := Overrides{Seed: &seed, Replications: &reps, Profile: "2023-07"}
	b := Overrides{Seed: &seed2, Replications: &reps, Profile: "2023-07"}
	if !a.Equal(b) || a.Equal(Overrides{Seed: &seed}) || (Overrides{}).Equal(Overrides{Seed: &seed}) || !(Overrides{}).Equal(Overrides{}) {
		t.Error("Equal compares the values the overrides point to")
	}
	if got, want := a.String(), "--seed 9 --replications 4 --profile 2023-07"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (Overrides{}).String(); got != "none" {
		t.Errorf("String() = %q, want none", got)
	}
}

// readFileMax refuses a file larger than its limit (merge's is maxPartialBytes).
func TestReadFileMax(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "partial.json")
	if err := os.WriteFile(path, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := readFileMax(path, 10); err != nil || len(data) != 10 {
		t.Errorf("%d bytes, %v", len(data), err)
	}
	if _, err := readFileMax(path, 9); err == nil || !strings.Contains(err.Error(), "is larger than 9 bytes") {
		t.Errorf("%v, want larger than 9 bytes", err)
	}
}

// FuzzReadPartial reads arbitrary partial.json files as merge does: strictly, with their digests
// and HMAC, and checked against the scenario (testdata/random.yaml for a run, sweep.yaml for a
// sweep) and merged; whatever the bytes, nothing panics. The seed corpus under
// testdata/fuzz/FuzzReadPartial holds real partial reports: of idcsim run random.yaml
// --replications 4 --shard 1/2 and idcsim sweep sweep.yaml --replications 2 --shard 1/2.
func FuzzReadPartial(f *testing.F) {
	_, run := testScenario(f, "random.yaml")
	_, sweep := testScenario(f, "sweep.yaml")
	srcs := map[string][]byte{KindRun: run, KindSweep: sweep}
	const file = "shard/partial.json"
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := parsePartial(file, data)
		if err != nil {
			return
		}
		pf.verify(file, nil)
		pf.verify(file, []byte("key"))
		set := &Set{parts: []*part{{dir: "shard", doc: pf.Doc, src: srcs[pf.Kind]}}}
		sc, _ := set.Scenario(setOverrides)
		if sc == nil {
			return
		}
		if pf.Kind == KindRun {
			set.MergeRun(sc)
		} else {
			set.MergeSweep(sc)
		}
	})
}
