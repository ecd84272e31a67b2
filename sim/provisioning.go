package sim

import "time"

// scheduleProvisioning arranges for the identity source to carry the user's state there into
// IAM Identity Center: an IdP's SCIM provisioning after the push latency or at the next periodic
// run (PROV-2), Active Directory at the next sync (PROV-4).
func (w *world) scheduleProvisioning(u int32) {
	src := &w.sc.Source
	s := &w.users[u]
	if src.Kind == IdentityCenter || s.provisionPending {
		return
	}
	var at time.Duration
	mode := src.Provisioning
	if src.Kind == ActiveDirectory {
		mode = ProvisioningPeriodic
	}
	switch mode {
	case ProvisioningPush:
		if s.enabledIdP == s.enabledIdC {
			return
		}
		if !s.enabledIdC && s.enabledIdP {
			// A push IdP sends changes made at the IdP; a disable made only in IAM Identity Center
			// is not undone until the user changes at the IdP.
			return
		}
		lat := src.ProvisioningLatency
		if lat == 0 {
			lat = w.prof.SCIMPushLatency
		}
		at = w.now + lat
	case ProvisioningPeriodic:
		at = nextTick(w.provPhase, w.provisioningInterval(), w.now)
		if src.Kind == ActiveDirectory && src.ADSync == ADSyncConfigurable {
			// PROV-4: "it may take 30 minutes to 2 hours"
			lo, hi := w.prof.ADSyncMin, w.prof.ADSync
			at = w.now + lo + time.Duration(w.rngOf(u).Float64()*float64(hi-lo))
		}
	default:
		return
	}
	s.provisionPending = true
	w.q.push(at, evProvision, u, 0)
}

// provisioningInterval is the period of the identity source's runs: the AD sync (PROV-4) or the
// IdP's periodic SCIM provisioning (PROV-2).
func (w *world) provisioningInterval() time.Duration {
	if w.sc.Source.Kind == ActiveDirectory {
		return w.prof.ADSync
	}
	if i := w.sc.Source.ProvisioningInterval; i > 0 {
		return i
	}
	return w.prof.SCIMInterval
}

// provision is a provisioning run reaching the user: IAM Identity Center takes the IdP's state
// (PROV-2), which enables again a user disabled only in IAM Identity Center (PROV-3).
func (w *world) provision(u int32) {
	w.settle(u)
	s := &w.users[u]
	s.provisionPending = false
	if s.deleted {
		w.recreate(u)
		return
	}
	if s.enabledIdC == s.enabledIdP {
		return
	}
	if w.record != nil {
		kind := AuditDisableUser
		if s.enabledIdP {
			kind = AuditEnableUser
		}
		w.emitProvisioned(kind, u)
	}
	if s.enabledIdP {
		w.enable(u, AtIdentityCenter)
		if s.track >= 0 {
			tr := &w.tracks[s.track]
			tr.notes = append(tr.notes, "PROV-3: the provisioning run at "+w.at(w.now)+
				" enabled the user again, because the user was still active at the IdP")
		}
	} else {
		why := "the provisioning run disabled the user (PROV-2)"
		if w.sc.Source.Kind == ActiveDirectory {
			why = "the directory sync disabled the user (PROV-4)"
		}
		w.disableInIdentityCenter(u, why)
	}
	w.observe(u)
}

// recreate is a provisioning run or sync that finds a user deleted in IAM Identity Center still
// active at the source (PROV-5): it creates the user again, with a new identity-store user ID.
// The memberships the source carries come back, and with them the groups' assignments; direct
// assignments and what was keyed on the old ID (a deny policy, CUT-1) do not. A push IdP sends a
// user only when the user changes there, so only periodic provisioning and AD sync re-create.
func (w *world) recreate(u int32) {
	s := &w.users[u]
	src := &w.sc.Source
	if !s.enabledIdP || !w.sc.Switches.ProvisioningRecreatesDeletedUsers || src.Kind == ExternalIdP && src.Provisioning != ProvisioningPeriodic {
		return
	}
	s.deleted, s.enabledIdC, s.inactiveSince = false, true, never
	s.denied, s.denyWant = false, false
	s.denyGen++   // a deny still propagating was for the old ID
	o := w.own(u) // the groups come back, the direct assignments do not
	o.direct = o.direct[:0]
	o.groups = append(o.groups[:0], w.m.cohortOf(u).groups...)
	o.view = append(o.view[:0], o.groups...)
	if s.track >= 0 {
		tr := &w.tracks[s.track]
		tr.notes = append(tr.notes, "PROV-5: the provisioning run at "+w.at(w.now)+
			" created the deleted user again, with a new user ID: the source still had the user; the groups came back, not the direct assignments nor a deny policy on the old ID")
	}
	w.observe(u)
}
