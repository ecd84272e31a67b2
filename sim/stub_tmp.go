package sim

import "context"

func run(ctx context.Context, sc *Scenario, opts Options) (*Results, error) {
	return nil, errorf("not implemented")
}

func reproduceTable(opts TableOptions) ([]RowResult, error) { return nil, errorf("not implemented") }
