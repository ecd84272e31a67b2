package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A scenario whose replications differ: membership delays (GRP-1), deny propagation (CUT-1) and
// periodic provisioning (PROV-2) are drawn per replication.
const randomScenario = `name: random delays
start: 2026-03-02T00:00:00Z
horizon: 3d
seed: 42
replications: 40
identity_source: {kind: external_idp, idp_session: 12h, provisioning: {mode: periodic, interval: 40m}}
accounts: [prod]
permission_sets: [{name: Admin, session_duration: 4h}]
applications: [{name: q, kind: aws_managed}]
groups: [{name: eng, assignments: [{application: q}, {account: prod, permission_set: Admin}]}]
users:
  - {name: ann, groups: [eng], devices: [{name: laptop, kind: browser}]}
  - {name: ben, groups: [eng], devices: [{name: laptop, kind: browser}]}
events:
  - {at: 9h, action: sign_in, user: ann, device: laptop}
  - {at: 9h5m, action: open_app, user: ann, device: laptop, application: q}
  - {at: 9h10m, action: federate, user: ann, device: laptop, account: prod, permission_set: Admin}
  - {at: 9h, action: sign_in, user: ben, device: laptop}
  - {at: 9h20m, action: open_app, user: ben, device: laptop, application: q}
  - {at: 10h, action: offboard, user: ann, playbook: [{action: deny_user}, {after: 1m, action: remove_from_group, group: eng}]}
  - {at: 11h, action: offboard, user: ben, playbook: [{action: disable_user, where: idp}]}
`

// Same scenario and seed: byte-identical output whatever the number of workers.
func TestWorkersGiveIdenticalBytes(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	var first []byte
	var firstDir map[string][]byte
	for _, workers := range []string{"1", "2", "5"} {
		out := filepath.Join(t.TempDir(), "report")
		code, stdout, stderr := idcsim(t, "run", path, "--format", "json", "--workers", workers, "--out", out, "--progress", "never")
		if code != exitOK && code != exitFail {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		written, err := os.ReadFile(filepath.Join(out, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		if string(written) != stdout {
			t.Fatalf("results.json differs from stdout")
		}
		dir := readDir(t, out)
		if first == nil {
			first, firstDir = written, dir
			continue
		}
		for name, b := range firstDir {
			if string(dir[name]) != string(b) {
				t.Errorf("--workers %s gives a different %s than --workers 1", workers, name)
			}
		}
		if string(written) != string(first) {
			t.Errorf("--workers %s gives different results.json than --workers 1", workers)
		}
	}
}

// --replay K runs replication K alone and finds the offboardings the whole run had there.
func TestReplay(t *testing.T) {
	path := writeFile(t, "random.yaml", randomScenario)
	type doc struct {
		Replications int `json:"replications"`
		Offboardings []struct {
			Replication int                `json:"replication"`
			User        string             `json:"user"`
			ExposureS   map[string]float64 `json:"exposure_s"`
		} `json:"offboardings"`
	}
	read := func(args ...string) doc {
		code, stdout, stderr := idcsim(t, append([]string{"run", path, "--format", "json", "--out", filepath.Join(t.TempDir(), "r")}, args...)...)
		if code != exitOK && code != exitFail {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var d doc
		if err := json.Unmarshal([]byte(stdout), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	whole, one := read(), read("--replay", "7")
	if one.Replications != 1 || len(one.Offboardings) != 2 {
		t.Fatalf("replay: %d replications, %d offboardings; want 1 and 2", one.Replications, len(one.Offboardings))
	}
	for _, o := range one.Offboardings {
		found := false
		for _, w := range whole.Offboardings {
			if w.Replication == 7 && w.User == o.User {
				found = reflect.DeepEqual(w.ExposureS, o.ExposureS)
			}
		}
		if o.Replication != 7 || !found {
			t.Errorf("replayed %s (replication %d) differs from the whole run's", o.User, o.Replication)
		}
	}
	if code, _, _ := idcsim(t, "run", path, "--replay", "40", "--out", filepath.Join(t.TempDir(), "r")); code != exitUsage {
		t.Errorf("--replay beyond the replications: exit %d, want %d", code, exitUsage)
	}
}
