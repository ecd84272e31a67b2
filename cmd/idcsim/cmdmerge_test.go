package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"idcsim/internal/buildinfo"
	"idcsim/shard"
)

// policyScenario is randomScenario with a control its windows fail: ann keeps her role session
// for hours after her offboarding (ROLE-3), and ben his portal session.
const policyScenario = randomScenario + `policy:
  - {id: ANY-30M, channel: any, statistic: max, within: 30m, text: "every access ends within 30 minutes"}
`

// shardDirs runs the scenario at path, 13 replications, in n shards s0, s1, ... of a new
// directory, and returns their directories.
func shardDirs(t *testing.T, path string, n int, args ...string) []string {
	t.Helper()
	tmp := t.TempDir()
	var dirs []string
	for i := range n {
		dir := filepath.Join(tmp, fmt.Sprintf("s%d", i))
		shardRun(t, []int{exitOK}, append([]string{"run", path, "--shard", fmt.Sprintf("%d/%d", i, n), "--out", dir, "--replications", "13"}, args...)...)
		dirs = append(dirs, dir)
	}
	return dirs
}

// readPartialFile reads a shard's partial.json as it is, without checks.
func readPartialFile(t *testing.T, dir string) *shard.File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, shard.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var f shard.File
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// editPartial changes a shard's partial.json and, with reseal, recomputes its digest as anyone
// without the key can, keeping the HMAC it had.
func editPartial(t *testing.T, dir string, reseal bool, edit func(f *shard.File)) {
	t.Helper()
	f := readPartialFile(t, dir)
	edit(f)
	if reseal {
		sealed, err := f.Doc.Seal(nil)
		if err != nil {
			t.Fatal(err)
		}
		f.ContentSHA256 = sealed.ContentSHA256
	}
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, shard.FileName), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editBytes changes the bytes of a shard's partial.json.
func editBytes(t *testing.T, dir string, edit func([]byte) []byte) {
	t.Helper()
	path := filepath.Join(dir, shard.FileName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, edit(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mergeRefuses merges the shards and checks that merge exits 2 with each of want in its message
// and writes nothing.
func mergeRefuses(t *testing.T, dirs []string, want ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "merged")
	code, stdout, stderr := idcsim(t, append([]string{"merge", "--out", out}, dirs...)...)
	if code != exitUsage {
		t.Errorf("merge: exit %d, want 2:\n%s%s", code, stderr, stdout)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("merge's message lacks %q:\n%s", w, stderr)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("merge wrote %s", out)
	}
	return stderr
}

// at names a place in a shard's partial.json, as merge's messages do.
func at(dir, path string) string { return filepath.Join(dir, shard.FileName) + ": " + path }

// A shard whose windows were shrunk to turn the policy's FAIL into a PASS is refused: the any
// channel's window is the longest of the others', an open window runs to the horizon, and the
// content must match its digest.
func TestMergeRefusesShrunkWindows(t *testing.T) {
	path := writeFile(t, "policy.yaml", policyScenario)
	dirs := shardDirs(t, path, 3)
	// The honest shards fail the control: ann's role session outlives 30 minutes (ROLE-3).
	shardRun(t, []int{exitFail}, "merge", dirs[0], dirs[1], dirs[2], "--out", filepath.Join(t.TempDir(), "merged"))

	// Shrinking only the control's channel (any), digest recomputed.
	editPartial(t, dirs[1], true, func(f *shard.File) {
		for _, r := range f.Results.Replications {
			for _, o := range r.Offboardings {
				o.Windows["any"] = shard.Window{LengthNS: int64(time.Minute)}
			}
		}
	})
	mergeRefuses(t, dirs, at(dirs[1], "$.results.replications[0].offboardings[0].windows.any: 1m (open false), but any channel is open as long as some other channel is"))

	// Shrinking every open window, digest recomputed: open windows run to the horizon.
	dirs = shardDirs(t, path, 3)
	editPartial(t, dirs[2], true, func(f *shard.File) {
		for _, r := range f.Results.Replications {
			for _, o := range r.Offboardings {
				for name, w := range o.Windows {
					if w.Open {
						w.LengthNS = int64(time.Minute)
						o.Windows[name] = w
					}
				}
			}
		}
	})
	mergeRefuses(t, dirs, at(dirs[2], "$.results.replications[0].offboardings[0].windows.any.length_ns: 60000000000 (1m), but the window is open: it runs to the horizon"))

	// A consistent shrink, closing every window at 1m: only the digest catches it.
	dirs = shardDirs(t, path, 3)
	editPartial(t, dirs[0], false, shrinkAll)
	mergeRefuses(t, dirs, at(dirs[0], "$.content_sha256 does not match the content: the partial report was changed after it was written"))
}

// shrinkAll closes every window of a shard at one minute, consistently: what a digest without
// a key cannot tell from a real shard.
func shrinkAll(f *shard.File) {
	for _, r := range f.Results.Replications {
		for _, o := range r.Offboardings {
			for name, w := range o.Windows {
				if w.Open || w.LengthNS > int64(time.Minute) {
					w.Open, w.LengthNS = false, int64(time.Minute)
					o.Windows[name] = w
				}
			}
		}
	}
}

// Two shards that swapped their labels are refused: their replications are not those of the
// shards they claim to be.
func TestMergeRefusesRelabelledShards(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	dirs := shardDirs(t, path, 3)
	editPartial(t, dirs[1], true, func(f *shard.File) { f.Shard.I = 2 })
	editPartial(t, dirs[2], true, func(f *shard.File) { f.Shard.I = 1 })
	// s1 runs replications 1, 4, 7, 10 (those ≡ 1 mod 3)
	mergeRefuses(t, dirs,
		at(dirs[1], "$.results.replications[0].index: replication 1 is not in shard 2/3, which runs replications 2, 2+3, …"),
		at(dirs[2], "$.results.replications[0].index: replication 2 is not in shard 1/3"))
}

// A shard whose offboardings were copied 2000 times is refused: the scenario makes 2 in every
// replication, and a person is offboarded at most once in one (EV-2). The messages stop at 20.
func TestMergeRefusesCopiedOffboardings(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	dirs := shardDirs(t, path, 3)
	editPartial(t, dirs[1], true, func(f *shard.File) {
		r := &f.Results.Replications[0]
		offs := r.Offboardings
		for range 1999 {
			r.Offboardings = append(r.Offboardings, offs...)
		}
	})
	stderr := mergeRefuses(t, dirs,
		at(dirs[1], "$.results.replications[0].offboardings: 4000 offboardings, but the scenario makes 2 in every replication"),
		at(dirs[1], "$.results.replications[0].offboardings[2].user: ann is offboarded again (first at offboardings[0]): a person is offboarded at most once in a replication (EV-2)"),
		"more problems")
	const most = 20 // the problems a shard.Error holds at most
	if n := strings.Count(stderr, "\n"); n > most+1 {
		t.Errorf("%d lines of messages, want at most %d", n, most+1)
	}
}

// A negative window is refused.
func TestMergeRefusesNegativeWindow(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	dirs := shardDirs(t, path, 3)
	editPartial(t, dirs[2], true, func(f *shard.File) {
		o := f.Results.Replications[1].Offboardings[0]
		w := o.Windows["portal"]
		w.LengthNS = -1
		o.Windows["portal"] = w
	})
	// ann is offboarded at 10h of a 3d run: windows from 0 to 2d14h
	mergeRefuses(t, dirs, at(dirs[2], "$.results.replications[1].offboardings[0].windows.portal.length_ns: -1 (-1ns) is outside 0 to 223200000000000 (2d14h, from the offboarding at 10h to the horizon)"))
}

// A replication out of the run's range is refused, and the one it replaced is missing.
func TestMergeRefusesReplicationOutOfRange(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	dirs := shardDirs(t, path, 3)
	// shard 2/3 runs replications 2, 5, 8, 11; 14 is in its share, but the run has 13
	editPartial(t, dirs[2], true, func(f *shard.File) { f.Results.Replications[3].Index = 14 })
	mergeRefuses(t, dirs,
		at(dirs[2], "$.results.replications[3].index: replication 14 is out of range: the run has 13 replications, 0 to 12"),
		at(dirs[2], "$.results.replications: replications 11 of shard 2/3 are missing"))
	editPartial(t, dirs[2], true, func(f *shard.File) {
		f.Results.Replications[3] = f.Results.Replications[0]
	})
	mergeRefuses(t, dirs, at(dirs[2], "$.results.replications[3].index: replication 2 appears twice (also replications[0])"))
}

// Every value of every shard is checked, not only the first shard's: each edit, made in the last
// shard with its digest recomputed, is refused at its JSON path.
func TestMergeChecksEveryShardsValues(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	first := func(f *shard.File) *shard.Offboarding { return &f.Results.Replications[0].Offboardings[0] }
	const o0 = "$.results.replications[0].offboardings[0]"
	for _, c := range []struct {
		name string
		edit func(f *shard.File)
		want string
	}{
		{"seed", func(f *shard.File) { f.Seed = 7 }, "$.seed: 7, but the scenario with the overrides --replications 13 runs seed 42"},
		{"replications", func(f *shard.File) { f.Replications = 12 }, "$.replications: 12, but the scenario with the overrides --replications 13 runs 13"},
		{"profile", func(f *shard.File) { f.Profile = "other" }, `$.profile: "other", but the scenario with the overrides --replications 13 runs profile "current"`},
		{"scenario name", func(f *shard.File) { f.Scenario.Name = "other" }, `$.scenario.name: "other", but the scenario is named "random delays"`},
		// limits of the scenario format: 1 to 100000 replications
		{"too many replications", func(f *shard.File) { f.Replications = 200000 }, "$.replications: 200000, want 1 to 100000"},
		{"no replications", func(f *shard.File) { zero := 0; f.Overrides.Replications = &zero }, "$.overrides.replications: 0, want 1 to 100000"},
		{"kind", func(f *shard.File) { f.Kind = "walk" }, `$.kind: "walk", want run or sweep`},
		{"shard count", func(f *shard.File) { f.Shard.N = 0 }, "$.shard.n: 0 shards, want 1 to 100000"},
		{"shard index", func(f *shard.File) { f.Shard.I = 3 }, "$.shard.i: shard 3 of 3, want 0 to 2"},
		{"schema version", func(f *shard.File) { f.SchemaVersion = 1 }, "$.schema_version: 1, but this idcsim reads partial reports of version 3"},
		// 7 timeline events, each processed by every replication
		{"events", func(f *shard.File) { f.Results.Replications[0].Events = 6 }, "$.results.replications[0].events: 6 is outside 7 to 92233720368547: every replication processes the scenario's 7 timeline events"},
		{"counter", func(f *shard.File) { f.Results.Replications[0].Counters.SignInPrompts = -5 }, "$.results.replications[0].counters.SignInPrompts: -5 is outside 0 to"},
		{"user", func(f *shard.File) { first(f).User = "zed" }, o0 + `.user: "zed" is not a user of the scenario`},
		{"time outside the run", func(f *shard.File) { first(f).AtNS = int64(80 * time.Hour) }, o0 + ".at_ns: 288000000000000 (3d8h) is outside the run, 0 to 259200000000000 (the horizon 3d)"},
		{"time", func(f *shard.File) { first(f).AtNS += int64(time.Minute) },
			o0 + `: ann offboarded at 10h1m with playbook "inline": neither an offboard event of the scenario nor one its offboardings: entries generate`},
		{"order", func(f *shard.File) {
			r := &f.Results.Replications[0]
			r.Offboardings[0], r.Offboardings[1] = r.Offboardings[1], r.Offboardings[0]
		}, "$.results.replications[0].offboardings[1].at_ns: 10h is before the offboarding before it (11h)"},
		{"missing offboarding", func(f *shard.File) { r := &f.Results.Replications[0]; r.Offboardings = r.Offboardings[1:] },
			"$.results.replications[0].offboardings: the offboarding of ann at 10h (an offboard event of the scenario) is missing"},
		{"playbook", func(f *shard.File) { first(f).Playbook = "other" }, o0 + `.playbook: "other", but the scenario offboards ann at 10h with playbook "inline"`},
		// ann's playbook: deny_user at once, remove_from_group a minute later
		{"step", func(f *shard.File) { first(f).Steps[1].AtNS += 1 },
			o0 + ".steps[1]: remove_from_group at 36060000000001 ns, but the playbook's step is remove_from_group at 36060000000000 ns"},
		{"steps", func(f *shard.File) { first(f).Steps = nil }, o0 + `.steps: 0 steps, but the playbook "inline" carries out 2 before the horizon`},
		{"channel", func(f *shard.File) { first(f).Windows["vpn"] = shard.Window{} }, o0 + `.windows["vpn"]: no channel of that name`},
		{"missing channel", func(f *shard.File) { delete(first(f).Windows, "kiro") }, o0 + ".windows.kiro: missing: every offboarding has a window on every channel"},
		{"window too long", func(f *shard.File) {
			w := first(f).Windows["sign_in"]
			w.LengthNS = int64(63 * time.Hour)
			first(f).Windows["sign_in"] = w
		}, o0 + ".windows.sign_in.length_ns: 226800000000000 (2d15h) is outside 0 to 223200000000000"},
		{"evidence", func(f *shard.File) {
			first(f).Windows["kiro"] = shard.Window{Evidence: "a Kiro session"} // ann has no Kiro device
		}, o0 + ".windows.kiro.evidence: the access ended by the offboarding, so nothing held it after: want none"},
		{"session", func(f *shard.File) { first(f).Sessions[0].EndNS = int64(73 * time.Hour) }, o0 + ".sessions[0]: from"},
		{"open session", func(f *shard.File) {
			s := &first(f).Sessions[0]
			s.Open, s.EndNS = true, s.StartNS
		}, o0 + ".sessions[0].end_ns:"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dirs := shardDirs(t, path, 3)
			editPartial(t, dirs[2], true, c.edit)
			mergeRefuses(t, dirs, at(dirs[2], c.want))
		})
	}
}

// partial.json is read strictly: duplicate keys at any depth, trailing data, unknown fields and
// wrong types are refused with the file and the JSON path, before its digest is even checked.
func TestMergeReadsPartialStrictly(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	replace := func(old, new string) func([]byte) []byte {
		return func(b []byte) []byte {
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("%q is not in partial.json", old)
			}
			return bytes.Replace(b, []byte(old), []byte(new), 1)
		}
	}
	for _, c := range []struct {
		name string
		edit func([]byte) []byte
		want string
	}{
		{"duplicate key", replace(`"seed":`, `"seed":43,"seed":`), "$.seed: duplicate key"},
		{"duplicate key deep", replace(`"length_ns":`, `"length_ns":0,"length_ns":`),
			"$.results.replications[0].offboardings[0].windows.any.length_ns: duplicate key"},
		{"trailing garbage", func(b []byte) []byte { return append(b, "garbage"...) }, "$: trailing data after the JSON value"},
		{"a second document", func(b []byte) []byte { return append(b, "{}\n"...) }, "$: trailing data after the JSON value"},
		{"unknown field", replace(`"seed":`, `"extra":1,"seed":`), "$.extra: unknown field"},
		{"field in another case", replace(`"seed":`, `"Seed":`), "$.Seed: unknown field"},
		{"wrong type", replace(`"events":`, `"events":"many","x":`), `$.results.replications[0].events: want an integer from -9223372036854775808 to 9223372036854775807, got the string "many"`},
		{"missing field", replace(`"seed":42,`, ``), "$.seed: missing"},
		// a partial report of the format before this one
		{"old format", replace(`"schema_version":3,`, `"schema_version":1,"Extra":{},`), "$.schema_version: 1, but this idcsim reads partial reports of version 3: run the shards with this idcsim"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dirs := shardDirs(t, path, 2)
			editBytes(t, dirs[1], c.edit)
			mergeRefuses(t, dirs, at(dirs[1], c.want))
		})
	}
}

// A truncated partial.json is refused with the byte where it ends.
func TestMergeRefusesTruncatedPartial(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	dirs := shardDirs(t, path, 2)
	var size int
	// cut after an opening brace near the middle, so that the JSON ends where a value should follow
	editBytes(t, dirs[1], func(b []byte) []byte { size = bytes.LastIndexByte(b[:len(b)/2], '{') + 1; return b[:size] })
	mergeRefuses(t, dirs, at(dirs[1], "$.results.replications["), fmt.Sprintf("not valid JSON, at byte %d: unexpected EOF", size))
}

// Shards of another build are refused, naming both builds: those of two builds, and those of a
// build other than merge's own.
func TestMergeRefusesAnotherBuild(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	own := buildinfo.Read()
	other := own
	other.Revision = "0123456789ab"
	dirs := shardDirs(t, path, 3)
	editPartial(t, dirs[1], true, func(f *shard.File) { f.Build = other })
	mergeRefuses(t, dirs, fmt.Sprintf("%s was written by idcsim %s, %s by idcsim %s: results may differ between builds", dirs[1], other, dirs[0], own))
	for _, dir := range dirs {
		editPartial(t, dir, true, func(f *shard.File) { f.Build = other })
	}
	mergeRefuses(t, dirs, fmt.Sprintf("%s was written by idcsim %s, but this is idcsim %s: results may differ between builds; merge with the build that ran the shards", dirs[0], other, own))
}

// A shard changed after it was written, its digest left as it was, is refused.
func TestMergeRefusesBadDigest(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	dirs := shardDirs(t, path, 3)
	editPartial(t, dirs[2], false, func(f *shard.File) { f.Results.Replications[0].Events++ })
	mergeRefuses(t, dirs, at(dirs[2], "$.content_sha256 does not match the content: the partial report was changed after it was written"))
	dirs = shardDirs(t, path, 3)
	editPartial(t, dirs[1], false, func(f *shard.File) { f.ContentSHA256 = strings.Repeat("0", 64) })
	mergeRefuses(t, dirs, at(dirs[1], "$.content_sha256 does not match the content"))
}

// With IDCSIM_SHARD_KEY, shards carry an HMAC that merge, with the same key, verifies: they merge
// to the whole run's results; a shard changed by anyone without the key, one without an HMAC, and
// one of another key are refused; merge without the key refuses shards with an HMAC. The key
// is never shown.
func TestMergeWithShardKey(t *testing.T) {
	const key = "correct horse battery staple"
	path := writeFile(t, "policy.yaml", policyScenario)
	whole := filepath.Join(t.TempDir(), "whole")
	shardRun(t, []int{exitFail}, "run", path, "--out", whole, "--replications", "13", "--progress", "never")
	plain := shardDirs(t, path, 3)
	t.Setenv(shard.KeyEnv, key)
	keyed := shardDirs(t, path, 3)
	if f := readPartialFile(t, keyed[0]); len(f.ContentHMAC) != 64 {
		t.Fatalf("content_hmac_sha256 %q, want 64 hex digits", f.ContentHMAC)
	}
	var shown []string // every message
	merged := filepath.Join(t.TempDir(), "merged")
	code, stdout, stderr := idcsim(t, "merge", keyed[0], keyed[1], keyed[2], "--out", merged)
	shown = append(shown, stdout, stderr)
	if code != exitFail || string(readDir(t, merged)["results.json"]) != string(readDir(t, whole)["results.json"]) {
		t.Fatalf("merge with the key: exit %d, want 1 and the whole run's results.json: %s", code, stderr)
	}
	shown = append(shown, mergeRefuses(t, plain, at(plain[0], "$.content_hmac_sha256: missing, but IDCSIM_SHARD_KEY is set")))

	// A consistent shrink with the digest recomputed: the HMAC does not verify.
	forged := shardDirs(t, path, 3)
	editPartial(t, forged[1], true, shrinkAll)
	shown = append(shown, mergeRefuses(t, forged, at(forged[1], "$.content_hmac_sha256 does not verify with the key of IDCSIM_SHARD_KEY: the shard was written with another key, or changed after it was written")))

	const key2 = "second secret 7f3a"
	t.Setenv(shard.KeyEnv, key2)
	shown = append(shown, mergeRefuses(t, keyed, at(keyed[0], "$.content_hmac_sha256 does not verify")))

	t.Setenv(shard.KeyEnv, "")
	shown = append(shown, mergeRefuses(t, keyed, at(keyed[0], "$.content_hmac_sha256: the shard was written with a key, which merge cannot check without it: set IDCSIM_SHARD_KEY to the shards' key")))

	// What a digest without a key cannot catch: the same consistent shrink, digest recomputed,
	// turns the control's FAIL into a PASS. Only the key tells it from a real shard.
	editPartial(t, plain[1], true, shrinkAll)
	editPartial(t, plain[0], true, shrinkAll)
	editPartial(t, plain[2], true, shrinkAll)
	shardRun(t, []int{exitOK}, "merge", plain[0], plain[1], plain[2], "--out", filepath.Join(t.TempDir(), "forged"))

	for _, s := range shown {
		if strings.Contains(s, key) || strings.Contains(s, key2) {
			t.Errorf("a message shows the key:\n%s", s)
		}
	}
}

// --out may not be an input directory, inside one, or hold one, however the path is written:
// merge refuses at once, before reading the inputs, and leaves them as they were.
func TestMergeKeepsOutApartFromInputs(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	dirs := shardDirs(t, path, 2)
	tmp := filepath.Dir(dirs[0])
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dirs[0], link); err != nil {
		t.Fatal(err)
	}
	before := readDir(t, dirs[0])
	for _, c := range []struct {
		out, want string
	}{
		{dirs[0], "--out " + dirs[0] + " is the input " + dirs[0] + ": merge would replace what it reads"},
		{filepath.Join(dirs[1], "..", "s0"), "is the input " + dirs[0]},
		{link, "--out " + link + " is the input " + dirs[0]},
		{filepath.Join(link, "merged"), "is inside the input " + dirs[0]},
		{filepath.Join(dirs[1], "merged"), "--out " + filepath.Join(dirs[1], "merged") + " is inside the input " + dirs[1]},
		{tmp, "--out " + tmp + " holds the input " + dirs[0]},
	} {
		code, _, stderr := idcsim(t, "merge", dirs[0], dirs[1], "--out", c.out)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("merge --out %s: exit %d, want 2 and %q:\n%s", c.out, code, c.want, stderr)
		}
	}
	// a directory holding the shards, with --out inside it
	code, _, stderr := idcsim(t, "merge", tmp, "--out", filepath.Join(tmp, "merged"))
	if code != exitUsage || !strings.Contains(stderr, "is inside the input "+tmp) {
		t.Errorf("merge DIR --out DIR/merged: exit %d:\n%s", code, stderr)
	}
	// before any work: an input that is no partial report is not even read
	code, _, stderr = idcsim(t, "merge", dirs[0], t.TempDir(), "--out", dirs[0])
	if code != exitUsage || strings.Contains(stderr, "holds no partial.json") {
		t.Errorf("merge read its inputs before refusing --out: exit %d:\n%s", code, stderr)
	}
	after := readDir(t, dirs[0])
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s changed", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("the input holds %d files, had %d", len(after), len(before))
	}
	for _, name := range []string{filepath.Join(dirs[1], "merged"), filepath.Join(tmp, "merged"), filepath.Join(dirs[0], "merged")} {
		if _, err := os.Stat(name); err == nil {
			t.Errorf("merge wrote %s", name)
		}
	}
}

// A sweep's shards hold exactly their share of the candidates, each with every replication.
func TestMergeChecksSweepCandidates(t *testing.T) {
	path := writeFile(t, "sweep.yaml", sweepScenario)
	sweepShards := func() []string {
		tmp := t.TempDir()
		var dirs []string
		for i := range 2 {
			dir := filepath.Join(tmp, fmt.Sprintf("s%d", i))
			shardRun(t, []int{exitOK}, "sweep", path, "--shard", fmt.Sprintf("%d/2", i), "--out", dir)
			dirs = append(dirs, dir)
		}
		return dirs
	}
	// 2 portal sessions × 3 permission-set durations: candidates 0 to 5, shard 1/2 runs 1, 3, 5
	dirs := sweepShards()
	var moved shard.Candidate
	editPartial(t, dirs[1], true, func(f *shard.File) { moved, f.Candidates = f.Candidates[0], f.Candidates[1:] })
	editPartial(t, dirs[0], true, func(f *shard.File) { f.Candidates = append(f.Candidates, moved) })
	mergeRefuses(t, dirs, at(dirs[0], "$.candidates[3].index: candidate 1 does not belong to shard 0/2, which runs candidates 0, 0+2, …"))

	dirs = sweepShards()
	editPartial(t, dirs[1], true, func(f *shard.File) { f.Candidates = f.Candidates[:2] })
	mergeRefuses(t, dirs, at(dirs[1], "$.candidates: candidate 5 (portal_session=8h permission_set.Admin=12h) of shard 1/2 is missing"))

	dirs = sweepShards()
	editPartial(t, dirs[0], true, func(f *shard.File) {
		r := f.Candidates[1].Results
		r.Replications = slices.Delete(r.Replications, 3, 4)
	})
	mergeRefuses(t, dirs, at(dirs[0], "$.candidates[1].results.replications: replications 3 are missing (of 0 to 7)"))

	dirs = sweepShards()
	editPartial(t, dirs[0], true, func(f *shard.File) { f.Candidates[0].Name = "portal_session=1h" })
	mergeRefuses(t, dirs, at(dirs[0], `$.candidates[0].name: candidate 0 is "portal_session=1h", but the sweep's is "portal_session=1h permission_set.Admin=1h"`))
}

// Partial reports larger together than merge may hold are refused before any is read: three
// sparse partial.json files of 1 GiB each, 3 GiB in all against the 2 GiB bound.
func TestMergeBoundsTotalSize(t *testing.T) {
	var dirs []string
	for i := range 3 {
		dir := filepath.Join(t.TempDir(), fmt.Sprint("s", i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, shard.FileName))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(1 << 30); err != nil {
			t.Fatal(err)
		}
		f.Close()
		dirs = append(dirs, dir)
	}
	out := filepath.Join(t.TempDir(), "merged")
	code, _, stderr := idcsim(t, append([]string{"merge", "--out", out}, dirs...)...)
	if want := fmt.Sprintf("the 3 partial reports hold %d bytes of partial.json together, more than the 2 GiB merge reads", 3<<30); code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, want 2 and %q:\n%s", code, want, stderr)
	}
}
