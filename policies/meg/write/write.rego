# METADATA
# title: Who may record credit facts
# description: |
#   Decides whether a caller may run one of the agencies' mutations on one enterprise. An agency
#   records only its own facts (the owner of the mutation in the classification catalogue), by its
#   officers, acting for the purpose the mutation serves, on enterprises registered within the
#   officer's jurisdiction (meg.jurisdiction). Anything no rule allows is denied.
package meg.write

import data.meg.jurisdiction

# The purposes each mutation is recorded for: the business of the owning agency it belongs to.
# A mutation not listed here is refused to everyone.
mutations := {
	"Mutation.recordPenalty": {"purposes": ["CREDIT_SUPERVISION"]},
	"Mutation.recordLicence": {"purposes": ["ADMINISTRATIVE_LICENSING"]},
	"Mutation.listAbnormalOperation": {"purposes": ["CREDIT_SUPERVISION"]},
	"Mutation.removeAbnormalOperation": {"purposes": ["CREDIT_SUPERVISION"]},
	"Mutation.listSeriousViolation": {"purposes": ["CREDIT_SUPERVISION"]},
	"Mutation.removeSeriousViolation": {"purposes": ["CREDIT_SUPERVISION"]},
	"Mutation.recordCreditCommitment": {"purposes": ["ADMINISTRATIVE_LICENSING", "CREDIT_SUPERVISION"]},
	"Mutation.rateTaxCredit": {"purposes": ["TAX_ADMINISTRATION"]},
	"Mutation.recordTaxArrears": {"purposes": ["TAX_ADMINISTRATION"]},
	"Mutation.settleTaxArrears": {"purposes": ["TAX_ADMINISTRATION"]},
	"Mutation.listMajorTaxViolation": {"purposes": ["TAX_ADMINISTRATION"]},
	"Mutation.removeMajorTaxViolation": {"purposes": ["TAX_ADMINISTRATION"]},
	"Mutation.recordContributionArrears": {"purposes": ["SOCIAL_INSURANCE_ADMINISTRATION"]},
	"Mutation.settleContributionArrears": {"purposes": ["SOCIAL_INSURANCE_ADMINISTRATION"]},
	"Mutation.setCustomsCreditLevel": {"purposes": ["CUSTOMS_SUPERVISION"]},
	"Mutation.recordCustomsViolation": {"purposes": ["CUSTOMS_SUPERVISION"]},
	"Mutation.publishPenalty": {"purposes": ["CREDIT_SUPERVISION"]},
	"Mutation.publishLicence": {"purposes": ["ADMINISTRATIVE_LICENSING"]},
	"Mutation.publishMajorTaxViolation": {"purposes": ["TAX_ADMINISTRATION"]},
	"Mutation.publishCustomsViolation": {"purposes": ["CUSTOMS_SUPERVISION"]},
}

# METADATA
# description: |
#   The decision on input.coordinate (a mutation) for input.principal acting for input.purpose on
#   the enterprise input.uscc: ALLOW or DENY, with the rule that decided and the reason.
# entrypoint: true
decision := _decision(object.get(data.meg.catalogue, input.coordinate, null), object.get(mutations, input.coordinate, null), input.principal, input.purpose, input.uscc)

_decision(entry, rule, principal, purpose, uscc) := _deny("no_write_rule", "no rule says who may run this mutation, so nobody may") if {
	not _mutation(entry, rule)
} else := _deny("public_principal", "recording credit facts needs an officer's token") if {
	principal.public
} else := _deny("not_owner", sprintf("only %s records this fact (it is %s data); the caller is %s", [_owner(entry), _owner(entry), _agency_name(principal)])) if {
	_agency_name(principal) != _owner(entry)
} else := _deny("not_officer", "only officers of the owning agency record credit facts") if {
	not "officer" in principal.roles
} else := _deny("write_purpose", sprintf("this fact is recorded for %s; the request declares %s", [concat(" or ", rule.purposes), _purpose_name(purpose)])) if {
	not purpose in rule.purposes
} else := _deny("no_jurisdiction", "the caller's token names no region, so it has no jurisdiction to record in") if {
	object.get(principal, "region", null) == null
} else := _deny("outside_jurisdiction", sprintf("the enterprise is registered in region %s, outside the caller's area %s", [jurisdiction.registering_region(uscc), principal.region])) if {
	not jurisdiction.within(principal.region, jurisdiction.registering_region(uscc))
} else := _allow("owner_officer_in_jurisdiction", sprintf("an officer of %s, acting for %s, within region %s", [_owner(entry), purpose, principal.region]))

# A mutation of one agency that has a rule here.
_mutation(entry, rule) if {
	entry != null
	rule != null
	count(entry.owners) == 1
	is_string(input.uscc)
	count(input.uscc) == 18
}

_owner(entry) := entry.owners[0]

_agency_name(principal) := lower(principal.agency) if is_string(principal.agency)

_agency_name(principal) := "no agency" if not is_string(principal.agency)

_purpose_name(purpose) := purpose if purpose != null

_purpose_name(null) := "no purpose"

_allow(rule, reason) := {"effect": "ALLOW", "rule": rule, "reason": reason}

_deny(rule, reason) := {"effect": "DENY", "rule": rule, "reason": reason}
