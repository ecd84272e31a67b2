package main

import (
	"fmt"
	"path/filepath"
	"testing"

	"idcsim/shard"
)

// orgPartition is an organisation whose people interact through instance-wide events only: group
// assignment changes, settings, revoke_role_sessions on the timeline and in a playbook, periodic
// provisioning, generated offboardings.
const orgPartition = "../../sim/testdata/org-partition.yaml"

// One replication split by person, on any number of workers or in any number of shards of its
// people merged, gives the report of the unsplit run byte for byte, every file of it.
func TestSplitsGiveIdenticalBytes(t *testing.T) {
	for _, path := range []string{"example:default", orgPartition} {
		tmp := t.TempDir()
		run := func(name string, args ...string) map[string][]byte {
			t.Helper()
			dir := filepath.Join(tmp, name)
			shardRun(t, []int{exitOK, exitFail}, append([]string{"run", path, "--replications", "1", "--out", dir, "--progress", "never"}, args...)...)
			return readDir(t, dir)
		}
		want := run("whole", "--workers", "1")
		same := func(what string, got map[string][]byte) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s: %s: %d files, the unsplit run %d", path, what, len(got), len(want))
			}
			for name, b := range want {
				if string(got[name]) != string(b) {
					t.Errorf("%s: %s gives a different %s than the unsplit run", path, what, name)
				}
			}
		}
		for _, w := range []string{"2", "3", "7"} {
			same("--workers "+w, run("workers-"+w, "--workers", w))
		}
		for _, n := range []int{2, 5} {
			var dirs []string
			for i := range n {
				dir := filepath.Join(tmp, fmt.Sprintf("shard-%d-of-%d", i, n))
				shardRun(t, []int{exitOK}, "run", path, "--replications", "1", "--shard", fmt.Sprintf("%d/%d", i, n), "--out", dir, "--workers", "2")
				if f := readPartialFile(t, dir); f.Split != shard.SplitPeople {
					t.Errorf("%s: shard %d/%d of one replication shares out the %s, want the people", path, i, n, f.Split)
				}
				dirs = append(dirs, dir)
			}
			merged := filepath.Join(tmp, fmt.Sprintf("merged-%d", n))
			shardRun(t, []int{exitOK, exitFail}, append([]string{"merge", "--out", merged}, dirs...)...)
			same(fmt.Sprintf("%d shards of the people, merged,", n), readDir(t, merged))
		}
	}
}

// Merge checks shards of the people as completely as shards of replications: of one kind, each
// once, none missing, each offboarding of one of the shard's own people, and all the offboardings
// the scenario makes.
func TestMergeChecksShardsOfPeople(t *testing.T) {
	tmp := t.TempDir()
	part := func(name string, args ...string) string {
		dir := filepath.Join(tmp, name)
		shardRun(t, []int{exitOK}, append([]string{"run", orgPartition, "--out", dir, "--workers", "1"}, args...)...)
		return dir
	}
	p0 := part("p0", "--shard", "0/2")
	p1 := part("p1", "--shard", "1/2")
	r1 := part("r1", "--shard", "1/2", "--replications", "2")
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{p0}, "shards 1 of 2 are missing"},
		{[]string{p0, p1, p1}, "shard 1/2 appears twice"},
		{[]string{p0, r1}, r1 + " is a shard of the replications of its run, " + p0 + " of the people"},
	} {
		mergeRefuses(t, c.dirs, c.want)
	}
	// the shards hold 16 offboardings (org-partition.yaml: 6 + 3 + 4 + 3 generated)
	f0, f1 := readPartialFile(t, p0), readPartialFile(t, p1)
	if n0, n1 := len(f0.Results.Replications[0].Offboardings), len(f1.Results.Replications[0].Offboardings); n0+n1 != 16 || n0 == 0 || n1 == 0 {
		t.Fatalf("the shards hold %d and %d offboardings, want 16 between them, some in each", n0, n1)
	}
	// an offboarding moved to the other shard, digest recomputed: not one of its people
	moved := f1.Results.Replications[0].Offboardings[0]
	moved0 := filepath.Join(tmp, "moved0")
	shardRun(t, []int{exitOK}, "run", orgPartition, "--out", moved0, "--workers", "1", "--shard", "0/2")
	editPartial(t, moved0, true, func(f *shard.File) {
		r := &f.Results.Replications[0]
		r.Offboardings = append(r.Offboardings, moved)
	})
	last := len(f0.Results.Replications[0].Offboardings)
	mergeRefuses(t, []string{moved0, p1}, at(moved0, fmt.Sprintf("$.results.replications[0].offboardings[%d].user: %s (person", last, moved.User)), "is not one of the shard's people")
	// an offboarding dropped: the shards together lack it
	dropped1 := filepath.Join(tmp, "dropped1")
	shardRun(t, []int{exitOK}, "run", orgPartition, "--out", dropped1, "--workers", "1", "--shard", "1/2")
	editPartial(t, dropped1, true, func(f *shard.File) {
		r := &f.Results.Replications[0]
		r.Offboardings = r.Offboardings[1:]
	})
	mergeRefuses(t, []string{p0, dropped1}, "the shards hold 15 offboardings together, but the scenario makes 16 in every replication")
	// a shard of the people of a run of two replications
	editPartial(t, p1, true, func(f *shard.File) { f.Replications = 2 })
	mergeRefuses(t, []string{p0, p1}, at(p1, "$.split: people, but the run has 2 replications"))
}
