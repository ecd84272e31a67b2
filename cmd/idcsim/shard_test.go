package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"idcsim/sim"
)

func TestShardFrom(t *testing.T) {
	for _, c := range []struct {
		flag string
		env  map[string]string
		want sim.Shard
		ok   bool
		err  string
	}{
		{"", nil, sim.Shard{}, false, ""},
		{"1/3", nil, sim.Shard{I: 1, N: 3}, true, ""},
		{"0/1", nil, sim.Shard{I: 0, N: 1}, true, ""},
		{"", map[string]string{envShards: "2/4"}, sim.Shard{I: 2, N: 4}, true, ""},
		{"1/3", map[string]string{envK8sIndex: "2"}, sim.Shard{I: 1, N: 3}, true, ""}, // the flag names the index
		{"4", map[string]string{envK8sIndex: "3"}, sim.Shard{I: 3, N: 4}, true, ""},
		{"", map[string]string{envShards: "4", envK8sIndex: "0"}, sim.Shard{I: 0, N: 4}, true, ""},
		{"5", map[string]string{envBatchIndex: "4"}, sim.Shard{I: 4, N: 5}, true, ""},
		{"auto", map[string]string{envBatchIndex: "2", envBatchSize: "8"}, sim.Shard{I: 2, N: 8}, true, ""},
		{"4", map[string]string{envK8sIndex: "1", envBatchIndex: "1"}, sim.Shard{I: 1, N: 4}, true, ""},
		// Slurm: --array=0-2 gives the tasks 0, 1, 2 and --array=1-3 the tasks 1, 2, 3, each with
		// SLURM_ARRAY_TASK_MIN the first and SLURM_ARRAY_TASK_COUNT 3; the shard is the task's place.
		{"auto", map[string]string{envSlurmID: "1", envSlurmMin: "0", envSlurmCount: "3"}, sim.Shard{I: 1, N: 3}, true, ""},
		{"auto", map[string]string{envSlurmID: "3", envSlurmMin: "1", envSlurmMax: "3", envSlurmCount: "3"}, sim.Shard{I: 2, N: 3}, true, ""},
		{"auto", map[string]string{envSlurmID: "1", envSlurmMin: "1", envSlurmCount: "3"}, sim.Shard{I: 0, N: 3}, true, ""},
		{"3", map[string]string{envSlurmID: "2", envSlurmMin: "1"}, sim.Shard{I: 1, N: 3}, true, ""},
		{"", map[string]string{envShards: "3", envSlurmID: "12", envSlurmMin: "10"}, sim.Shard{I: 2, N: 3}, true, ""},
		{"1/3", map[string]string{envSlurmID: "7", envSlurmMin: "0", envSlurmCount: "8"}, sim.Shard{I: 1, N: 3}, true, ""}, // the flag names the shard
		{"4", map[string]string{envK8sIndex: "2", envSlurmID: "3", envSlurmMin: "1"}, sim.Shard{I: 2, N: 4}, true, ""},
		{"auto", map[string]string{envBatchIndex: "1", envBatchSize: "3", envSlurmID: "2", envSlurmMin: "1", envSlurmCount: "3"}, sim.Shard{I: 1, N: 3}, true, ""},
		{"3/3", nil, sim.Shard{}, false, "the index I of I/N: want a whole number from 0 to 2"},
		{"-1/3", nil, sim.Shard{}, false, "the index I of I/N"},
		{"1/0", nil, sim.Shard{}, false, "the count N of I/N"},
		{"x", nil, sim.Shard{}, false, "the count of shards"},
		{"4", nil, sim.Shard{}, false, "the shard's index is missing"},
		{"4", map[string]string{envK8sIndex: "4"}, sim.Shard{}, false, "JOB_COMPLETION_INDEX: want a whole number from 0 to 3"},
		{"4", map[string]string{envK8sIndex: "1", envBatchIndex: "2"}, sim.Shard{}, false, "disagree"},
		{"auto", map[string]string{envK8sIndex: "1"}, sim.Shard{}, false, "(AWS_BATCH_JOB_ARRAY_SIZE or SLURM_ARRAY_TASK_COUNT), which gives none"},
		{"4", map[string]string{envBatchIndex: "1", envBatchSize: "5"}, sim.Shard{}, false, "has AWS_BATCH_JOB_ARRAY_SIZE=5 children"},
		{"", map[string]string{envShards: "nine"}, sim.Shard{}, false, "IDCSIM_SHARDS nine"},
		{"4", nil, sim.Shard{}, false, "AWS Batch array job (AWS_BATCH_JOB_ARRAY_INDEX) or Slurm job array (SLURM_ARRAY_TASK_ID)"},
		{"x", nil, sim.Shard{}, false, "N with the index from JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX or SLURM_ARRAY_TASK_ID"},
		// --array=1-3 with the index taken as if it started at 0; an array of 4 tasks for 3 shards
		{"auto", map[string]string{envSlurmID: "4", envSlurmMin: "1", envSlurmCount: "3"}, sim.Shard{}, false,
			"SLURM_ARRAY_TASK_ID=4 less SLURM_ARRAY_TASK_MIN=1 is the shard's index 3, not one from 0 to 2: give the Slurm job array 3 tasks with consecutive indexes (--array=1-3)"},
		{"3", map[string]string{envSlurmID: "5", envSlurmMin: "2"}, sim.Shard{}, false, "is the shard's index 3, not one from 0 to 2"},
		{"3", map[string]string{envSlurmID: "2", envSlurmMin: "0", envSlurmCount: "4"}, sim.Shard{}, false, "3 shards, but the Slurm job array has SLURM_ARRAY_TASK_COUNT=4 tasks"},
		{"3", map[string]string{envSlurmID: "2"}, sim.Shard{}, false, "SLURM_ARRAY_TASK_ID=2 but SLURM_ARRAY_TASK_MIN, the array's first index, is not set"},
		{"3", map[string]string{envSlurmID: "x", envSlurmMin: "0"}, sim.Shard{}, false, "SLURM_ARRAY_TASK_ID: want a whole number"},
		{"3", map[string]string{envSlurmID: "1", envSlurmMin: "2"}, sim.Shard{}, false, `SLURM_ARRAY_TASK_MIN: want a whole number from 0 to 1, not "2"`},
		// --array=1,3,7 and --array=0-4:2 (as Slurm 22.05 sets their variables) map some tasks to no
		// shard and others to the wrong one: every task is refused
		{"auto", map[string]string{envSlurmID: "3", envSlurmMin: "1", envSlurmMax: "7", envSlurmCount: "3"}, sim.Shard{}, false,
			"the Slurm job array's indexes from SLURM_ARRAY_TASK_MIN=1 to SLURM_ARRAY_TASK_MAX=7 are not consecutive, with SLURM_ARRAY_TASK_COUNT=3: give it 3 tasks with consecutive indexes (--array=1-3)"},
		{"auto", map[string]string{envSlurmID: "0", envSlurmMin: "0", envSlurmMax: "4", envSlurmCount: "3"}, sim.Shard{}, false, "are not consecutive"},
		{"4", map[string]string{envK8sIndex: "1", envSlurmID: "3", envSlurmMin: "1"}, sim.Shard{}, false, "JOB_COMPLETION_INDEX and SLURM_ARRAY_TASK_ID disagree on the shard's index (1 and 2)"},
		{"auto", map[string]string{envBatchSize: "4", envSlurmCount: "3"}, sim.Shard{}, false, "AWS_BATCH_JOB_ARRAY_SIZE=4 and SLURM_ARRAY_TASK_COUNT=3 disagree on the count"},
		{"auto", map[string]string{envSlurmID: "0", envSlurmMin: "0", envSlurmCount: "0"}, sim.Shard{}, false, "SLURM_ARRAY_TASK_COUNT: want a whole number from 1 to"},
	} {
		getenv := func(k string) string { return c.env[k] }
		got, ok, err := shardFrom(c.flag, getenv)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("--shard %q %v: error %v, want %q", c.flag, c.env, err, c.err)
			}
			continue
		}
		if err != nil || ok != c.ok || got != c.want {
			t.Errorf("--shard %q %v: %v %v %v, want %v %v", c.flag, c.env, got, ok, err, c.want, c.ok)
		}
	}
}

// shardRun runs idcsim with the arguments and fails the test unless it exits with one of codes.
func shardRun(t *testing.T, codes []int, args ...string) string {
	t.Helper()
	code, stdout, stderr := idcsim(t, args...)
	for _, c := range codes {
		if code == c {
			return stdout
		}
	}
	t.Fatalf("idcsim %s: exit %d: %s%s", strings.Join(args, " "), code, stderr, stdout)
	return ""
}

// The shards of a run, merged, give the report of the run without shards, byte for byte: results.json first.
func TestShardsMergeToTheWholeRun(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	done := []int{exitOK, exitFail}
	shardRun(t, done, "run", path, "--out", whole, "--replications", "13", "--progress", "never")
	var dirs []string
	for i := range 3 {
		dir := filepath.Join(tmp, fmt.Sprintf("part-%d", i))
		stdout := shardRun(t, []int{exitOK}, "run", path, "--shard", fmt.Sprintf("%d/3", i), "--out", dir, "--replications", "13", "--workers", "1")
		if !strings.Contains(stdout, fmt.Sprintf("shard %d/3 of run", i)) {
			t.Errorf("shard %d says: %s", i, stdout)
		}
		files := readDir(t, dir)
		// partial.json, scenario.yaml and the manifest
		if len(files) != 3 || len(files[".idcsim-manifest.json"]) == 0 || len(files["partial.json"]) == 0 || string(files["scenario.yaml"]) != randomScenario {
			t.Errorf("partial report %d holds %d files", i, len(files))
		}
		dirs = append(dirs, dir)
	}
	merged := filepath.Join(tmp, "merged")
	// the shards in any order
	shardRun(t, done, "merge", dirs[2], dirs[0], dirs[1], "--out", merged)
	want, got := readDir(t, whole), readDir(t, merged)
	if string(got["results.json"]) != string(want["results.json"]) {
		t.Fatalf("merged results.json differs from the whole run's")
	}
	for name, b := range want {
		if string(got[name]) != string(b) {
			t.Errorf("merged %s differs from the whole run's", name)
		}
	}
	if len(got) != len(want) {
		t.Errorf("merged report holds %d files, the whole run's %d", len(got), len(want))
	}
}

// The shards of a sweep, run as a Kubernetes Indexed Job, an AWS Batch array job and a Slurm job
// array would run them (the index from the environment) into one shared directory, merge into the
// sweep's report, byte for byte: sweep.json first.
func TestShardedSweepMergesToTheWholeSweep(t *testing.T) {
	path := writeFile(t, "sweep.yaml", sweepScenario)
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	shardRun(t, []int{exitOK}, "sweep", path, "--out", whole, "--seed", "5")
	shared := filepath.Join(tmp, "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	// Each shard writes to its default directory, named after the shard, in the shared one.
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(shared); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envShards, "4")
	for i := range 2 {
		t.Setenv(envK8sIndex, fmt.Sprint(i))
		shardRun(t, []int{exitOK}, "sweep", path, "--seed", "5")
	}
	t.Setenv(envK8sIndex, "")
	t.Setenv(envShards, "")
	t.Setenv(envBatchIndex, "2")
	t.Setenv(envBatchSize, "4")
	shardRun(t, []int{exitOK}, "sweep", path, "--seed", "5", "--shard", "auto")
	t.Setenv(envBatchIndex, "")
	t.Setenv(envBatchSize, "")
	// the last task of a Slurm job array of 4 whose indexes start at 1 (sbatch --array=1-4)
	t.Setenv(envSlurmID, "4")
	t.Setenv(envSlurmMin, "1")
	t.Setenv(envSlurmMax, "4")
	t.Setenv(envSlurmCount, "4")
	shardRun(t, []int{exitOK}, "sweep", path, "--seed", "5", "--shard", "auto")
	t.Setenv(envSlurmID, "")
	t.Setenv(envSlurmMin, "")
	t.Setenv(envSlurmMax, "")
	t.Setenv(envSlurmCount, "")
	os.Chdir(wd)
	entries, _ := os.ReadDir(shared)
	if len(entries) != 4 || entries[0].Name() != "idcsim-shard-0-of-4" || entries[3].Name() != "idcsim-shard-3-of-4" {
		t.Fatalf("shared directory: %v", entries)
	}
	merged := filepath.Join(tmp, "merged")
	stdout := shardRun(t, []int{exitOK}, "merge", shared, "--out", merged)
	want, got := readDir(t, whole), readDir(t, merged)
	if string(got["sweep.json"]) != string(want["sweep.json"]) {
		t.Fatalf("merged sweep.json differs from the whole sweep's")
	}
	for name, b := range want {
		if string(got[name]) != string(b) {
			t.Errorf("merged %s differs from the whole sweep's", name)
		}
	}
	if !strings.Contains(stdout, "recommendation:") {
		t.Errorf("merge's summary:\n%s", stdout)
	}
}

// Merge refuses shards that do not make one whole run, says why, and writes nothing.
func TestMergeRefusesMismatchedShards(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	other := writeFile(t, "other.yaml", strings.Replace(randomScenario, "seed: 42", "seed: 43", 1))
	tmp := t.TempDir()
	part := func(name string, args ...string) string {
		dir := filepath.Join(tmp, name)
		shardRun(t, []int{exitOK}, append([]string{"run", "--out", dir, "--replications", "4"}, args...)...)
		return dir
	}
	a0 := part("a0", path, "--shard", "0/2")
	a1 := part("a1", path, "--shard", "1/2")
	b1 := part("b1", other, "--shard", "1/2")
	c1 := part("c1", path, "--shard", "1/3")
	d1 := part("d1", path, "--shard", "1/2", "--seed", "9")
	e1 := part("e1", path, "--shard", "1/2")
	if err := os.WriteFile(filepath.Join(e1, "scenario.yaml"), []byte(randomScenario+"# changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{a0}, "shards 1 of 2 are missing"},
		{[]string{a0, a1, a1}, "shard 1/2 appears twice"},
		{[]string{a0, b1}, "ran another scenario"},
		{[]string{a0, c1}, "the shards of one run share N"},
		{[]string{a0, d1}, "ran with overrides --seed 9 --replications 4, " + a0 + " with --replications 4"},
		{[]string{a0, e1}, "scenario.yaml does not match the digest"},
	} {
		out := filepath.Join(tmp, "merged")
		code, _, stderr := idcsim(t, append([]string{"merge", "--out", out}, c.dirs...)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("merge %v: exit %d, want 2 and %q:\n%s", c.dirs, code, c.want, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("merge %v wrote %s", c.dirs, out)
		}
	}
}

// A Slurm task of an array of more tasks than --shard says (--array=0-3 for 3 shards) is refused
// with exit 2 before any work, and nothing is written.
func TestShardFromSlurmOutOfRange(t *testing.T) {
	out := filepath.Join(t.TempDir(), "shard")
	t.Setenv(envSlurmID, "3")
	t.Setenv(envSlurmMin, "0")
	t.Setenv(envSlurmCount, "4")
	code, _, stderr := idcsim(t, "run", "example:default", "--shard", "3", "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "3 shards, but the Slurm job array has SLURM_ARRAY_TASK_COUNT=4 tasks") {
		t.Errorf("exit %d, want 2 and the count of tasks:\n%s", code, stderr)
	}
	t.Setenv(envSlurmCount, "")
	code, _, stderr = idcsim(t, "run", "example:default", "--shard", "3", "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "is the shard's index 3, not one from 0 to 2") {
		t.Errorf("exit %d, want 2 and the index out of range:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused shard wrote %s", out)
	}
}
