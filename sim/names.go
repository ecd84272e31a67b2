package sim

// Index maps each name of a list of declarations to its position in the list.
type Index map[string]int

// Lookup returns the position of the named declaration.
func (ix Index) Lookup(name string) (int, bool) {
	i, ok := ix[name]
	return i, ok
}

// Has says whether the name is declared.
func (ix Index) Has(name string) bool {
	_, ok := ix[name]
	return ok
}

// Names indexes the names a scenario declares, by kind, for resolving its references: the
// scenarios language checks references with it, and the engine compiles a scenario with it.
type Names struct {
	Accounts       Index
	PermissionSets Index
	Applications   Index
	Groups         Index
	Users          Index // the users listed, not the people of populations
	Behaviours     Index
	Populations    Index
}

// NewNames returns an empty index of names.
func NewNames() *Names {
	return &Names{Accounts: Index{}, PermissionSets: Index{}, Applications: Index{}, Groups: Index{},
		Users: Index{}, Behaviours: Index{}, Populations: Index{}}
}

// NamesOf indexes the scenario's declarations. A name declared twice indexes its last
// declaration.
func NamesOf(sc *Scenario) *Names {
	n := NewNames()
	for i, a := range sc.Accounts {
		n.Accounts[a] = i
	}
	for i := range sc.PermissionSets {
		n.PermissionSets[sc.PermissionSets[i].Name] = i
	}
	for i := range sc.Applications {
		n.Applications[sc.Applications[i].Name] = i
	}
	for i := range sc.Groups {
		n.Groups[sc.Groups[i].Name] = i
	}
	for i := range sc.Users {
		n.Users[sc.Users[i].Name] = i
	}
	for i := range sc.Behaviours {
		n.Behaviours[sc.Behaviours[i].Name] = i
	}
	for i := range sc.Populations {
		n.Populations[sc.Populations[i].Name] = i
	}
	return n
}
