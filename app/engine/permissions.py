"""The actions a user can take, and which of them touch ALPR data.

Roles and their grants come from the policy profile; this module only names the actions so
that a profile cannot grant something the engine does not know.
"""
from __future__ import annotations

# Actions that read or release ALPR data: they need current training and a purpose.
DATA_ACTIONS = frozenset({
    "search", "view", "export", "print", "correct", "hold_place", "analysis",
    "hotlist_view", "hotlist_edit", "hit_disposition",
})

ADMIN_ACTIONS = frozenset({
    "hold_release", "purge", "release_request", "release_approve", "audit_view",
    "audit_export", "audit_verify", "user_admin", "training_admin", "settings_admin", "sync",
    "transparency_report",
    # the designee's oversight (app/engine/oversight/): the register of agencies releases go to,
    # written permissions for a role barred without one, breach incidents and their notices
    "agency_register", "permission_grant", "breach_record",
    # The audit cycle (oversight/): run a review and record its findings; approve another's
    # signed review; see only the entries of one's own staff (a supervisor without audit_view).
    "audit_review", "audit_approve", "audit_team",
})

# LA Metro parking (app/engine/parking/): each needs the purpose the profile's [parking] table
# names for it; occupancy is counts only, so it needs no training, only that purpose.
PARKING_ACTIONS = frozenset({"parking_occupancy", "parking_enforce", "parking_revenue",
                             "parking_court"})
DATA_ACTIONS = DATA_ACTIONS | (PARKING_ACTIONS - {"parking_occupancy"})

ACTIONS = DATA_ACTIONS | ADMIN_ACTIONS | PARKING_ACTIONS

# Data actions that must carry a purpose and case number in the access log.
PURPOSE_ACTIONS = frozenset({"search", "view", "export", "print", "analysis", "correct"}) | PARKING_ACTIONS
