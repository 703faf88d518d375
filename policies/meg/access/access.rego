# METADATA
# title: Field access
# description: |
#   Decides, for every field coordinate an operation selects, whether the caller may see the
#   value (ALLOW), only a masked form of it (MASK) or nothing (DENY), from the field's
#   classification in the catalogue (data.meg.catalogue), the caller and the declared purpose.
#   The classes are those of government information sharing (政务信息资源共享): PUBLIC fields are
#   published to society, UNCONDITIONAL ones are shared with every government body, CONDITIONAL
#   ones with bodies acting for a listed purpose, NONE stay with the owning agency.
package meg.access

# Roles of government bodies that may receive shared data. The auditor role is not one of them:
# auditors review who may see what and who saw what, and are given published data only.
_government_roles := {"officer", "approval-system"}

# The purpose auditors act for. A token may hold the auditor role beside others (an officer who
# also audits): the auditors' tools need the role and this purpose together, and a caller acting
# for it sees no more enterprise data than the public; for any other purpose the caller's other
# roles follow their own rules.
_audit_purpose := "AUDIT"

# The subgraphs that hold agency data; owning one of them is what makes an agency an owner.
_agency_subgraphs := {"market", "tax", "social", "customs"}

# Purposes whose work looks at an enterprise's history as well as at what is in force: supervision
# and the review of registrations. The rules on publicity and repair keep an entry past its
# publicity period, or repaired, in the record "for use according to law" (NDRC Order No. 58 of
# 2023, on credit repair) without publishing it: these purposes see such entries, marked; approvals
# and joint measures weigh only what is in force.
_history_purposes := {
	"CREDIT_SUPERVISION", "REGISTRATION_REVIEW", "TAX_ADMINISTRATION",
	"SOCIAL_INSURANCE_ADMINISTRATION", "CUSTOMS_SUPERVISION",
}

# METADATA
# description: The decision for each coordinate in input.coordinates.
# entrypoint: true
decisions := {coordinate: decision(object.get(data.meg.catalogue, coordinate, null), input.principal, input.purpose) |
	some coordinate in input.coordinates
}

# METADATA
# description: |
#   The decision for one field. The rules are tried in order; the first that applies decides.
#   Anything no rule allows is denied.
decision(entry, principal, purpose) := _deny("unclassified", "the field is not in the classification catalogue, so it is never shared") if {
	entry == null
} else := _allow("public", "published to society (PUBLIC)") if {
	entry.sharing == "PUBLIC"
} else := _deny("public_principal", "callers without a token see published (PUBLIC) fields only") if {
	principal.public
} else := _allow("auditor_tools", "the policy and the access log are for auditors acting for AUDIT") if {
	"audit" in entry.owners
	"auditor" in principal.roles
	purpose == _audit_purpose
} else := _deny("auditor_tools_only", "the policy and the access log are for callers with the auditor role acting for AUDIT") if {
	"audit" in entry.owners
} else := _allow("audit_conditional", "shared with auditors acting for AUDIT, a purpose the owner lists (CONDITIONAL)") if {
	"auditor" in principal.roles
	purpose == _audit_purpose
	entry.sharing == "CONDITIONAL"
	_audit_purpose in entry.purposes
} else := _deny("audit_purpose", "acting for AUDIT, a caller reviews the policy and the access log, and sees published enterprise data only") if {
	purpose == _audit_purpose
} else := _allow("owner", sprintf("the %s administration owns this field", [principal.agency])) if {
	some owner in entry.owners
	owner in _agency_subgraphs
	lower(principal.agency) == owner
} else := _deny("no_government_role", "the caller has no role that may receive shared government data") if {
	not _has_government_role(principal)
} else := _mask("personal_minimised", entry.mask, "personal information is shown masked to other agencies") if {
	entry.sharing == "UNCONDITIONAL"
	entry.personal
	entry.mask != null
} else := _allow("unconditional", "shared with every government body (UNCONDITIONAL)") if {
	entry.sharing == "UNCONDITIONAL"
} else := _allow("conditional_purpose", sprintf("shared for the declared purpose %s (CONDITIONAL)", [purpose])) if {
	entry.sharing == "CONDITIONAL"
	purpose in entry.purposes
} else := _mask("conditional_masked", entry.mask, _not_for_purpose(purpose, entry.purposes, "only a masked form is shared")) if {
	entry.sharing == "CONDITIONAL"
	entry.mask != null
} else := _deny("conditional_purpose_missing", _not_for_purpose(purpose, entry.purposes, "not shared")) if {
	entry.sharing == "CONDITIONAL"
} else := _deny("not_shared", "the owning agency does not share this field (NONE)") if {
	entry.sharing == "NONE"
} else := _deny("default_deny", "no rule allows this field")

# METADATA
# description: |
#   Which entries of each agency's credit record the caller sees, per agency (the entries' fields
#   are then decided one by one as above):
#   PUBLIC: what is public today: decisions once published, entries within their publicity
#   period and not repaired (society, and auditors acting for AUDIT);
#   CURRENT: every entry in force, published yet or not (government bodies acting for an approval
#   or a joint measure);
#   HISTORY: every entry, those past their publicity period or repaired marked as such (the owning
#   agency, and government bodies acting for a purpose that needs history).
# entrypoint: true
record_views := {agency: record_view(agency, input.principal, input.purpose) | some agency in _agency_subgraphs}

# METADATA
# description: The view of one agency's record, as record_views gives it; anything else is PUBLIC.
record_view(agency, principal, purpose) := "PUBLIC" if {
	principal.public
} else := "PUBLIC" if {
	purpose == _audit_purpose
} else := "HISTORY" if {
	lower(principal.agency) == agency
} else := "PUBLIC" if {
	not _has_government_role(principal)
} else := "HISTORY" if {
	purpose in _history_purposes
} else := "CURRENT"

_has_government_role(principal) if {
	some role in principal.roles
	role in _government_roles
}

_not_for_purpose(purpose, purposes, consequence) := sprintf(
	"shared only for %s; for %s %s (CONDITIONAL)",
	[concat(", ", sort(purposes)), _purpose_name(purpose), consequence],
)

_purpose_name(purpose) := purpose if purpose != null

_purpose_name(null) := "no declared purpose"

_allow(rule, reason) := {"effect": "ALLOW", "rule": rule, "reason": reason}

_deny(rule, reason) := {"effect": "DENY", "rule": rule, "reason": reason}

_mask(rule, mask, reason) := {"effect": "MASK", "rule": rule, "mask": mask, "reason": reason}
