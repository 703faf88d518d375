package meg.review_test

import data.meg.review

# An enterprise every agency answered for, with nothing on record.
_clean := {
	"market": {"status": "OPERATING", "abnormalOperations": [], "seriousViolations": []},
	"tax": {"ratings": [{"year": 2025, "rating": "B"}, {"year": 2024, "rating": "A"}], "majorViolations": [], "arrears": []},
	"social": {"arrears": []},
	"customs": {"creditLevel": "GENERAL", "creditLevelSince": "2020-01-01"},
}

_serious := {"decisionNo": "黔市监严重违法〔2024〕215号", "reason": "组织策划传销", "listedOn": "2024-05-01", "authority": "贵阳市市场监督管理局", "removedOn": null}

_with(facts, path, value) := json.patch(facts, [{"op": "replace", "path": path, "value": value}])

_review(matter, facts, unavailable) := d if {
	d := review.decision with input as {"matter": matter, "facts": facts, "unavailable": unavailable}
}

_measures(d) := {[f.rule, f.measure] | some f in d.findings}

test_clean_enterprise_passes if {
	d := _review("GOVERNMENT_PROCUREMENT", _clean, [])
	d.outcome == "PASS"
	count(d.findings) == 0
}

test_serious_violation_prohibits_public_money_and_land if {
	facts := _with(_clean, "/market/seriousViolations", [_serious])
	every matter in ["GOVERNMENT_PROCUREMENT", "BIDDING", "FISCAL_SUBSIDY", "STATE_LAND_TRANSFER"] {
		d := _review(matter, facts, [])
		d.outcome == "PROHIBIT"
		_measures(d) == {["serious_violation", "PROHIBIT"]}
	}
	_review("ADMINISTRATIVE_LICENCE", facts, []).outcome == "RESTRICT"
}

test_serious_violation_carries_its_evidence_and_basis if {
	d := _review("BIDDING", _with(_clean, "/market/seriousViolations", [_serious]), [])
	some f in d.findings
	f.agency == "MARKET"
	f.legalBasis == "《严重违法失信名单管理办法》（国家市场监督管理总局令第44号）"
	f.evidence == [{"kind": "SERIOUS_VIOLATION_LIST", "reference": "黔市监严重违法〔2024〕215号", "date": "2024-05-01", "detail": "组织策划传销"}]
}

test_removed_listing_no_longer_counts if {
	removed := object.union(_serious, {"removedOn": "2025-01-01"})
	_review("BIDDING", _with(_clean, "/market/seriousViolations", [removed]), []).outcome == "PASS"
}

test_revoked_licence_prohibits if {
	d := _review("LISTING", _with(_clean, "/market/status", "REVOKED"), [])
	d.outcome == "PROHIBIT"
	_measures(d) == {["not_operating", "PROHIBIT"]}
}

test_major_tax_violation_prohibits_procurement_and_subsidies_and_restricts_licences if {
	facts := _with(_clean, "/tax/majorViolations", [{"caseNo": "粤税稽〔2025〕88号", "nature": "虚开增值税专用发票", "listedOn": "2025-02-01", "removedOn": null}])
	_review("GOVERNMENT_PROCUREMENT", facts, []).outcome == "PROHIBIT"
	_review("FISCAL_SUBSIDY", facts, []).outcome == "PROHIBIT"
	d := _review("ADMINISTRATIVE_LICENCE", facts, [])
	d.outcome == "RESTRICT"
	_measures(d) == {["major_tax_violation", "RESTRICT"]}
}

test_abnormal_operations_restrict if {
	facts := _with(_clean, "/market/abnormalOperations", [{"reason": "UNREACHABLE_AT_ADDRESS", "listedOn": "2025-03-01", "authority": "某局", "removedOn": null}])
	d := _review("GOVERNMENT_PROCUREMENT", facts, [])
	d.outcome == "RESTRICT"
	_measures(d) == {["abnormal_operations", "RESTRICT"]}
}

test_latest_tax_rating_d_restricts if {
	facts := _with(_clean, "/tax/ratings", [{"year": 2025, "rating": "D"}, {"year": 2024, "rating": "B"}])
	d := _review("BIDDING", facts, [])
	d.outcome == "RESTRICT"
	some f in d.findings
	f.rule == "tax_rating_d"
	f.evidence == [{"kind": "TAX_CREDIT_RATING", "reference": "D", "date": "2025", "detail": "tax credit rating D for 2025"}]
}

test_an_old_rating_d_does_not_restrict if {
	facts := _with(_clean, "/tax/ratings", [{"year": 2025, "rating": "B"}, {"year": 2024, "rating": "D"}])
	_review("BIDDING", facts, []).outcome == "PASS"
}

test_social_insurance_arrears_restrict_subsidies_only if {
	facts := _with(_clean, "/social/arrears", [{"insuranceType": "PENSION", "amount": 12000, "months": 3, "since": "2026-01-01", "settledOn": null}])
	_review("FISCAL_SUBSIDY", facts, []).outcome == "RESTRICT"
	_review("GOVERNMENT_PROCUREMENT", facts, []).outcome == "PASS"
}

test_customs_dishonest_restricts_clearance if {
	facts := _with(_clean, "/customs", {"creditLevel": "DISHONEST", "creditLevelSince": "2025-06-01"})
	d := _review("CUSTOMS_CLEARANCE", facts, [])
	d.outcome == "RESTRICT"
	_measures(d) == {["customs_dishonest", "RESTRICT"]}
	_review("BIDDING", facts, []).outcome == "PASS"
}

test_rating_a_and_advanced_certification_give_priority if {
	facts := _with(_with(_clean, "/tax/ratings", [{"year": 2025, "rating": "A"}]), "/customs", {"creditLevel": "ADVANCED_CERTIFIED", "creditLevelSince": "2023-01-01"})
	d := _review("CUSTOMS_CLEARANCE", facts, [])
	d.outcome == "PRIORITY"
	_measures(d) == {["trustworthy", "PRIORITY"]}
}

test_no_priority_with_anything_negative if {
	trusted := _with(_with(_clean, "/tax/ratings", [{"year": 2025, "rating": "A"}]), "/customs", {"creditLevel": "ADVANCED_CERTIFIED", "creditLevelSince": "2023-01-01"})
	owing := _with(trusted, "/tax/arrears", [{"taxType": "增值税", "amount": 5000, "since": "2026-01-01", "settledOn": null}])
	_review("CUSTOMS_CLEARANCE", owing, []).outcome == "PASS"
	listed := _with(trusted, "/market/abnormalOperations", [{"reason": "UNREACHABLE_AT_ADDRESS", "listedOn": "2025-03-01", "authority": "某局", "removedOn": null}])
	_review("CUSTOMS_CLEARANCE", listed, []).outcome == "RESTRICT"
}

test_unanswered_agency_makes_the_verdict_incomplete_never_pass if {
	facts := object.remove(_clean, ["customs"])
	d := _review("GOVERNMENT_PROCUREMENT", facts, ["CUSTOMS"])
	d.outcome == "INCOMPLETE"
}

test_no_priority_without_every_agency if {
	trusted := _with(_with(_clean, "/tax/ratings", [{"year": 2025, "rating": "A"}]), "/customs", {"creditLevel": "ADVANCED_CERTIFIED", "creditLevelSince": "2023-01-01"})
	_review("CUSTOMS_CLEARANCE", object.remove(trusted, ["social"]), ["SOCIAL"]).outcome == "INCOMPLETE"
}

test_prohibition_stands_even_when_an_agency_is_missing if {
	facts := object.remove(_with(_clean, "/market/seriousViolations", [_serious]), ["tax"])
	_review("GOVERNMENT_PROCUREMENT", facts, ["TAX"]).outcome == "PROHIBIT"
}

test_withheld_facts_do_not_fire_rules if {
	facts := _with(_clean, "/social/arrears", null)
	_review("FISCAL_SUBSIDY", facts, []).outcome == "PASS"
}

test_unknown_matter_is_an_error if {
	_review("LOTTERY", _clean, []) == {"error": "unknown matter LOTTERY"}
}

test_unregistered_code_prohibits if {
	d := _review("GOVERNMENT_PROCUREMENT", object.union(_clean, {"market": null}), [])
	d.outcome == "PROHIBIT"
	_measures(d) == {["not_registered", "PROHIBIT"]}
}

test_missing_market_answer_is_not_taken_for_no_registration if {
	_review("GOVERNMENT_PROCUREMENT", object.remove(_clean, ["market"]), ["MARKET"]).outcome == "INCOMPLETE"
}
