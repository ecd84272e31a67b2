package sim

import (
	"context"
	"time"
)

// Options control how a run is carried out; they never change its results.
type Options struct {
	// Workers is the number of replications run at once; 0 means one per CPU. A run of fewer
	// replications than workers splits each by person, so that every worker has work.
	Workers int
	// Progress, when not nil, is called as the work advances with the replications done and
	// their total, in thousandths of a replication: a long replication reports its simulated time.
	Progress func(done, total int)
	// Shard, when N > 1, runs only the I-th share of the replications (or sweep candidates), or,
	// with Shard.People, of the people of every replication.
	Shard Shard
	// Audit, when not nil, is given the activity of replication 0, which is then not split
	// (sign-ins, tokens, role credentials and their use, TTI exchanges, refused requests, admin
	// actions on users), in the order the engine carries it out, which is time order, from the
	// goroutine that runs that replication. It sees; it changes nothing. Sweeps do not call it.
	Audit func(Audit)
}

// Run runs every replication of the scenario and returns the exposure of each offboarding.
// Results depend only on the scenario (its seed included), never on Options.
func Run(ctx context.Context, sc *Scenario, opts Options) (*Results, error) {
	return run(ctx, sc, opts)
}

// TableRows are the actions of the published timing tables T1 and T2, in order.
var TableRows = []string{"disable_user", "delete_user", "end_sessions", "sign_out",
	"remove_user_assignment", "remove_from_group", "remove_group_assignment"}

// TableCells are the columns of the timing tables: signing in to IAM Identity Center (idc_access;
// T0's "cannot sign in"), new and existing application sessions (app_new, app_existing),
// obtaining new role credentials in the console or with the CLI (role_new, T0), and role
// sessions (role_existing: in T1 and T0's rows every role session left after the action, in
// T2's those that existed at the change). Each experiment runs on a browser and a CLI, and a
// cell's worst case is over both.
var TableCells = []string{"idc_access", "app_new", "app_existing", "role_new", "role_existing"}

// Access texts of the idc_access cell.
const (
	KeepsAccess     = "keeps access"
	MustSignInAgain = "must sign in again"
)

// DefaultTrials is the number of randomised timelines per row of a timing table when
// TableOptions does not say: enough for the remove_from_group row, whose worst case needs two
// delays near their maxima at once.
const DefaultTrials = 100000

// TableOptions set up a reproduction of the timing tables.
type TableOptions struct {
	Profile  Profile
	Switches Switches
	// PermissionSetDuration is the role session duration of the experiment (default 12h).
	PermissionSetDuration time.Duration
	// Trials is the number of randomised timelines per row (default 100000: enough for the
	// remove_from_group row, whose worst case needs two delays near their maxima at once).
	Trials int
	Seed   uint64
}

// CellResult is what the experiments observed for one cell of a row.
type CellResult struct {
	// ObservedMax is the worst case over all trials.
	ObservedMax time.Duration
	// Text is set instead when the access outlived the action: KeepsAccess or MustSignInAgain.
	Text string
}

// RowResult is the outcome of one row's experiments.
type RowResult struct {
	Row    string
	Trials int
	Cells  map[string]CellResult
}

// ReproduceTable runs each row of the timing tables as an experiment over many randomised phases
// and returns the observed worst case per cell.
func ReproduceTable(opts TableOptions) ([]RowResult, error) {
	return reproduceTable(opts)
}
