package main

import (
	"os"
	"path/filepath"
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
