package meg.write_test

import data.meg.write

_catalogue := {
	"Mutation.recordPenalty": {"owners": ["market"], "sharing": "NONE", "personal": false, "mask": null, "purposes": []},
	"Mutation.rateTaxCredit": {"owners": ["tax"], "sharing": "NONE", "personal": false, "mask": null, "purposes": []},
	"Mutation.unlisted": {"owners": ["tax"], "sharing": "NONE", "personal": false, "mask": null, "purposes": []},
}

# Registered in Beijing, Chaoyang district (110105).
_beijing := "91110105MA01ABCD1X"

# Registered in Shanghai, Pudong (310115).
_shanghai := "91310115MA01ABCD1X"

_market_officer := {"public": false, "sub": "m1", "agency": "MARKET", "roles": ["officer"], "region": "110000"}

_decide(coordinate, principal, purpose, uscc) := [d.effect, d.rule] if {
	d := write.decision with input as {"principal": principal, "purpose": purpose, "coordinate": coordinate, "uscc": uscc}
		with data.meg.catalogue as _catalogue
}

test_owner_officer_in_jurisdiction_allowed if {
	_decide("Mutation.recordPenalty", _market_officer, "CREDIT_SUPERVISION", _beijing) == ["ALLOW", "owner_officer_in_jurisdiction"]
}

test_national_officer_allowed_everywhere if {
	national := object.union(_market_officer, {"region": "100000"})
	_decide("Mutation.recordPenalty", national, "CREDIT_SUPERVISION", _shanghai) == ["ALLOW", "owner_officer_in_jurisdiction"]
}

test_another_agency_refused if {
	tax := object.union(_market_officer, {"agency": "TAX"})
	_decide("Mutation.recordPenalty", tax, "CREDIT_SUPERVISION", _beijing) == ["DENY", "not_owner"]
	_decide("Mutation.rateTaxCredit", _market_officer, "CREDIT_SUPERVISION", _beijing) == ["DENY", "not_owner"]
}

test_a_body_without_agency_refused if {
	centre := {"public": false, "sub": "p1", "agency": null, "roles": ["officer"], "region": "110000"}
	_decide("Mutation.recordPenalty", centre, "CREDIT_SUPERVISION", _beijing) == ["DENY", "not_owner"]
}

test_public_refused if {
	_decide("Mutation.recordPenalty", {"public": true, "sub": "public", "agency": null, "roles": [], "region": null}, null, _beijing) == ["DENY", "public_principal"]
}

test_non_officer_of_owner_refused if {
	system := object.union(_market_officer, {"roles": ["approval-system", "auditor"]})
	_decide("Mutation.recordPenalty", system, "CREDIT_SUPERVISION", _beijing) == ["DENY", "not_officer"]
}

test_wrong_purpose_refused if {
	_decide("Mutation.recordPenalty", _market_officer, "REGISTRATION_REVIEW", _beijing) == ["DENY", "write_purpose"]
	_decide("Mutation.recordPenalty", _market_officer, null, _beijing) == ["DENY", "write_purpose"]
}

test_outside_jurisdiction_refused if {
	_decide("Mutation.recordPenalty", _market_officer, "CREDIT_SUPERVISION", _shanghai) == ["DENY", "outside_jurisdiction"]
	county := object.union(_market_officer, {"region": "110106"})
	_decide("Mutation.recordPenalty", county, "CREDIT_SUPERVISION", _beijing) == ["DENY", "outside_jurisdiction"]
}

test_no_region_refused if {
	nowhere := object.union(_market_officer, {"region": null})
	_decide("Mutation.recordPenalty", nowhere, "CREDIT_SUPERVISION", _beijing) == ["DENY", "no_jurisdiction"]
}

test_mutation_without_rule_or_classification_refused if {
	tax := object.union(_market_officer, {"agency": "TAX"})
	_decide("Mutation.unlisted", tax, "TAX_ADMINISTRATION", _beijing) == ["DENY", "no_write_rule"]
	_decide("Mutation.recordLicence", _market_officer, "ADMINISTRATIVE_LICENSING", _beijing) == ["DENY", "no_write_rule"]
}

test_enterprise_not_named_refused if {
	_decide("Mutation.recordPenalty", _market_officer, "CREDIT_SUPERVISION", null) == ["DENY", "no_write_rule"]
	_decide("Mutation.recordPenalty", _market_officer, "CREDIT_SUPERVISION", "11") == ["DENY", "no_write_rule"]
}

test_reasons_name_the_parties if {
	d := write.decision with input as {"principal": object.union(_market_officer, {"agency": "CUSTOMS"}), "purpose": "CREDIT_SUPERVISION", "coordinate": "Mutation.recordPenalty", "uscc": _beijing}
		with data.meg.catalogue as _catalogue
	d.reason == "only market records this fact (it is market data); the caller is customs"
	e := write.decision with input as {"principal": _market_officer, "purpose": "CREDIT_SUPERVISION", "coordinate": "Mutation.recordPenalty", "uscc": _shanghai}
		with data.meg.catalogue as _catalogue
	e.reason == "the enterprise is registered in region 310115, outside the caller's area 110000"
}
