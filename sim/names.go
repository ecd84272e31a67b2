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
	return &Names{
		Accounts:       indexOf(sc.Accounts, func(a string) string { return a }),
		PermissionSets: indexOf(sc.PermissionSets, func(p PermissionSet) string { return p.Name }),
		Applications:   indexOf(sc.Applications, func(a Application) string { return a.Name }),
		Groups:         indexOf(sc.Groups, func(g Group) string { return g.Name }),
		Users:          indexOf(sc.Users, func(u User) string { return u.Name }),
		Behaviours:     indexOf(sc.Behaviours, func(b Behaviour) string { return b.Name }),
		Populations:    indexOf(sc.Populations, func(p Population) string { return p.Name }),
	}
}

// indexOf indexes a list of declarations by name.
func indexOf[T any](list []T, name func(T) string) Index {
	ix := make(Index, len(list))
	for i, x := range list {
		ix[name(x)] = i
	}
	return ix
}
