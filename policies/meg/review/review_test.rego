package meg.review_test

import data.meg.review

# An enterprise every agency answered for, with nothing on record.
_clean := {
	"market": {"status": "OPERATING", "abnormalOperations": [], "seriousViolations": [], "jointMeasures": []},
	"tax": {"ratings": [{"year": 2025, "rating": "B"}, {"year": 2024, "rating": "A"}], "majorViolations": [], "arrears": [], "jointMeasures": []},
	"social": {"arrears": [], "jointMeasures": []},
	"customs": {"creditLevel": "GENERAL", "creditLevelSince": "2020-01-01", "jointMeasures": []},
}

# A joint measure in force, as a responding agency records it (policies/meg/response).
_joint_measure(measure, basis) := {
	"measure": measure, "description": "措施", "basis": basis, "sourceAgency": "market", "sourceKind": "serious_violation_listed",
	"sourceEventId": "e1", "sourceEntryId": "n1", "effectiveFrom": "2026-01-05T08:00:00.000Z", "liftedOn": null,
}

_memo_2045 := "《失信企业协同监管和联合惩戒合作备忘录》（发改财金〔2015〕2045号）"

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
	f.evidence == [{
		"kind": "SERIOUS_VIOLATION_LIST", "reference": "黔市监严重违法〔2024〕215号", "date": "2024-05-01", "detail": "组织策划传销",
		"inForceFrom": "2024-05-01", "inForceUntil": null,
	}]
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
	d := _review("CUSTOMS_CLEARANCE", object.remove(trusted, ["social"]), ["SOCIAL"])
	d.outcome == "INCOMPLETE"
	count(d.findings) == 0
}

test_prohibition_stands_even_when_an_agency_is_missing if {
	facts := object.remove(_with(_clean, "/market/seriousViolations", [_serious]), ["tax"])
	_review("GOVERNMENT_PROCUREMENT", facts, ["TAX"]).outcome == "PROHIBIT"
}

# What a caller the access policy keeps from a fact receives in its place: null.
_hidden(facts, path) := _with(facts, path, null)

_review_withheld(matter, facts, withheld) := d if {
	d := review.decision with input as {"matter": matter, "facts": facts, "unavailable": [], "withheld": withheld}
}

# Every negative rule, the matter it applies to, the facts it needs, and where they sit.
_rules_with_facts := [
	["serious_violation", "BIDDING", "MARKET", ["MarketProfile.seriousViolations", "SeriousViolationEntry.removedOn"], "/market/seriousViolations"],
	["abnormal_operations", "GOVERNMENT_PROCUREMENT", "MARKET", ["MarketProfile.abnormalOperations", "AbnormalOperationEntry.removedOn"], "/market/abnormalOperations"],
	["not_operating", "LISTING", "MARKET", ["MarketProfile.status"], "/market/status"],
	["major_tax_violation", "FISCAL_SUBSIDY", "TAX", ["TaxProfile.majorViolations", "MajorTaxViolation.removedOn"], "/tax/majorViolations"],
	["tax_rating_d", "ADMINISTRATIVE_LICENCE", "TAX", ["TaxProfile.creditRatings", "TaxCreditRating.rating", "TaxCreditRating.year"], "/tax/ratings"],
	["social_insurance_arrears", "FISCAL_SUBSIDY", "SOCIAL", ["ContributionArrear.settledOn", "SocialProfile.arrears"], "/social/arrears"],
	["customs_dishonest", "CUSTOMS_CLEARANCE", "CUSTOMS", ["CustomsProfile.creditLevel"], "/customs/creditLevel"],
	["market_joint_measures", "LEGAL_REPRESENTATIVE_APPOINTMENT", "MARKET", ["MarketProfile.jointMeasures", "JointMeasure.measure", "JointMeasure.liftedOn"], "/market/jointMeasures"],
	["social_joint_measures", "FISCAL_SUBSIDY", "SOCIAL", ["SocialProfile.jointMeasures", "JointMeasure.measure", "JointMeasure.liftedOn"], "/social/jointMeasures"],
	["customs_joint_measures", "CUSTOMS_CLEARANCE", "CUSTOMS", ["CustomsProfile.jointMeasures", "JointMeasure.measure", "JointMeasure.liftedOn"], "/customs/jointMeasures"],
]

test_every_rule_with_its_facts_withheld_is_withheld_and_the_verdict_incomplete if {
	every r in _rules_with_facts {
		[rule, matter, agency, coordinates, path] := r
		d := _review_withheld(matter, _hidden(_clean, path), coordinates)
		d.outcome == "INCOMPLETE"
		count(d.findings) == 0
		{"agency": agency, "rule": rule, "coordinates": sort(coordinates)} in d.withheld
	}
}

test_a_rule_is_withheld_when_any_one_of_its_facts_is if {
	every r in _rules_with_facts {
		[rule, matter, _, coordinates, _] := r
		every c in coordinates {
			d := _review_withheld(matter, _clean, [c])
			d.outcome == "INCOMPLETE"
			some w in d.withheld
			w.rule == rule
			w.coordinates == [c]
		}
	}
}

test_a_withheld_profile_withholds_every_rule_of_its_agency if {
	d := _review_withheld("FISCAL_SUBSIDY", object.union(_clean, {"market": null}), ["Enterprise.market"])
	d.outcome == "INCOMPLETE"
	{w.rule | some w in d.withheld} == {"serious_violation", "abnormal_operations", "not_operating", "not_registered"}
}

test_an_entry_whose_removal_date_is_withheld_does_not_count_as_current if {
	# Its removal date reads null to this caller: applied, the rule would prohibit on a fact it cannot know.
	removed := object.union(_serious, {"removedOn": null})
	d := _review_withheld("BIDDING", _with(_clean, "/market/seriousViolations", [removed]), ["SeriousViolationEntry.removedOn"])
	d.outcome == "INCOMPLETE"
	count(d.findings) == 0
}

test_withheld_facts_of_a_rule_that_does_not_apply_to_the_matter_change_nothing if {
	d := _review_withheld("GOVERNMENT_PROCUREMENT", _hidden(_clean, "/social/arrears"), ["SocialProfile.arrears", "ContributionArrear.settledOn"])
	d.outcome == "PASS"
	d.withheld == set()
	_review_withheld("BIDDING", _hidden(_clean, "/customs/creditLevel"), ["CustomsProfile.creditLevel"]).outcome == "PASS"
}

test_prohibition_on_facts_seen_stands_when_others_are_withheld if {
	facts := _hidden(_with(_clean, "/market/seriousViolations", [_serious]), "/social/arrears")
	d := _review_withheld("FISCAL_SUBSIDY", facts, ["SocialProfile.arrears"])
	d.outcome == "PROHIBIT"
	{w.rule | some w in d.withheld} == {"social_insurance_arrears"}
}

test_withheld_facts_outrank_a_restriction if {
	facts := _hidden(_with(_clean, "/tax/ratings", [{"year": 2025, "rating": "D"}]), "/social/arrears")
	d := _review_withheld("FISCAL_SUBSIDY", facts, ["SocialProfile.arrears"])
	d.outcome == "INCOMPLETE"
	_measures(d) == {["tax_rating_d", "RESTRICT"]}
}

_trusted := _with(_with(_clean, "/tax/ratings", [{"year": 2025, "rating": "A"}]), "/customs", {"creditLevel": "ADVANCED_CERTIFIED", "creditLevelSince": "2023-01-01"})

test_no_green_channel_on_arrears_the_caller_could_not_see if {
	every c in ["SocialProfile.arrears", "ContributionArrear.settledOn", "TaxProfile.arrears", "TaxArrear.settledOn"] {
		d := _review_withheld("CUSTOMS_CLEARANCE", _trusted, [c])
		d.outcome == "INCOMPLETE"
		count(d.findings) == 0
		d.withheld == {{"agency": "JOINT", "rule": "trustworthy", "coordinates": [c]}}
	}
}

test_no_green_channel_on_a_rating_or_level_the_caller_could_not_see if {
	d := _review_withheld("CUSTOMS_CLEARANCE", _hidden(_trusted, "/customs/creditLevel"), ["CustomsProfile.creditLevel"])
	d.outcome == "INCOMPLETE"
	{w.rule | some w in d.withheld} == {"customs_dishonest", "trustworthy"}
	e := _review_withheld("LISTING", _hidden(_trusted, "/tax/ratings"), ["TaxProfile.creditRatings"])
	e.outcome == "INCOMPLETE"
	{w.rule | some w in e.withheld} == {"tax_rating_d", "trustworthy"}
}

test_withheld_arrears_do_not_matter_when_what_was_seen_rules_the_green_channel_out if {
	# A rating of B, seen in clear: the green channel is closed whatever the arrears are.
	d := _review_withheld("CUSTOMS_CLEARANCE", _hidden(_clean, "/social/arrears"), ["SocialProfile.arrears"])
	d.outcome == "PASS"
	d.withheld == set()

	# Open tax arrears seen in clear close it too.
	owing := _with(_hidden(_trusted, "/social/arrears"), "/tax/arrears", [{"taxType": "增值税", "amount": 5000, "since": "2026-01-01", "settledOn": null}])
	_review_withheld("CUSTOMS_CLEARANCE", owing, ["SocialProfile.arrears"]).outcome == "PASS"
}

test_priority_blocked_by_each_negative if {
	every rule in {"serious_violation", "abnormal_operations", "major_tax_violation"} {
		d := _review("CUSTOMS_CLEARANCE", _negative_for(rule, _trusted), [])
		d.outcome != "PRIORITY"
		{f.rule | some f in d.findings} == {rule}
	}
	_review("LISTING", _with(_trusted, "/market/status", "CANCELLED"), []).outcome == "PROHIBIT"
	arrears := [{"insuranceType": "PENSION", "amount": 1, "months": 1, "since": "2026-01-01", "settledOn": null}]
	_review("FISCAL_SUBSIDY", _with(_trusted, "/social/arrears", arrears), []).outcome == "RESTRICT"
}

_negative_for("serious_violation", facts) := _with(facts, "/market/seriousViolations", [_serious])

_negative_for("abnormal_operations", facts) := _with(facts, "/market/abnormalOperations", [{"reason": "UNREACHABLE_AT_ADDRESS", "listedOn": "2025-03-01", "authority": "某局", "removedOn": null}])

_negative_for("major_tax_violation", facts) := _with(facts, "/tax/majorViolations", [{"caseNo": "粤税稽〔2025〕88号", "nature": "虚开增值税专用发票", "listedOn": "2025-02-01", "removedOn": null}])

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

test_cancelled_registration_prohibits if {
	d := _review("BIDDING", _with(_clean, "/market/status", "CANCELLED"), [])
	d.outcome == "PROHIBIT"
	_measures(d) == {["not_operating", "PROHIBIT"]}
}

_all_matters := [
	"GOVERNMENT_PROCUREMENT", "BIDDING", "FISCAL_SUBSIDY", "ADMINISTRATIVE_LICENCE",
	"STATE_LAND_TRANSFER", "LISTING", "CUSTOMS_CLEARANCE", "LEGAL_REPRESENTATIVE_APPOINTMENT",
]

# For each list, the measure each matter gets: absent where the rule does not apply to the matter.
_expected_measures := {
	"serious_violation": {
		"GOVERNMENT_PROCUREMENT": "PROHIBIT", "BIDDING": "PROHIBIT", "FISCAL_SUBSIDY": "PROHIBIT",
		"STATE_LAND_TRANSFER": "PROHIBIT", "ADMINISTRATIVE_LICENCE": "RESTRICT", "LISTING": "RESTRICT",
		"CUSTOMS_CLEARANCE": "RESTRICT", "LEGAL_REPRESENTATIVE_APPOINTMENT": "RESTRICT",
	},
	"major_tax_violation": {
		"GOVERNMENT_PROCUREMENT": "PROHIBIT", "BIDDING": "PROHIBIT", "FISCAL_SUBSIDY": "PROHIBIT",
		"STATE_LAND_TRANSFER": "RESTRICT", "ADMINISTRATIVE_LICENCE": "RESTRICT", "LISTING": "RESTRICT",
		"CUSTOMS_CLEARANCE": "RESTRICT", "LEGAL_REPRESENTATIVE_APPOINTMENT": "RESTRICT",
	},
	"abnormal_operations": {m: "RESTRICT" | some m in _all_matters},
	"tax_rating_d": {m: "RESTRICT" | some m in _all_matters},
	"social_insurance_arrears": {"FISCAL_SUBSIDY": "RESTRICT"},
	"customs_dishonest": {"CUSTOMS_CLEARANCE": "RESTRICT"},
	"market_joint_measures": {"LEGAL_REPRESENTATIVE_APPOINTMENT": "RESTRICT"},
	"social_joint_measures": {"FISCAL_SUBSIDY": "RESTRICT"},
	"customs_joint_measures": {"CUSTOMS_CLEARANCE": "RESTRICT"},
}

_listed := {
	"serious_violation": _with(_clean, "/market/seriousViolations", [_serious]),
	"major_tax_violation": _with(_clean, "/tax/majorViolations", [{"caseNo": "粤税稽〔2025〕88号", "nature": "虚开增值税专用发票", "listedOn": "2025-02-01", "removedOn": null}]),
	"abnormal_operations": _with(_clean, "/market/abnormalOperations", [{"reason": "UNREACHABLE_AT_ADDRESS", "listedOn": "2025-03-01", "authority": "某局", "removedOn": null}]),
	"tax_rating_d": _with(_clean, "/tax/ratings", [{"year": 2025, "rating": "D"}]),
	"social_insurance_arrears": _with(_clean, "/social/arrears", [{"insuranceType": "PENSION", "amount": 1, "months": 1, "since": "2026-01-01", "settledOn": null}]),
	"customs_dishonest": _with(_clean, "/customs", {"creditLevel": "DISHONEST", "creditLevelSince": "2025-06-01"}),
	"market_joint_measures": _with(_clean, "/market/jointMeasures", [_joint_measure("LEGAL_REPRESENTATIVE_RESTRICTED", "memo")]),
	"social_joint_measures": _with(_clean, "/social/jointMeasures", [_joint_measure("SOCIAL_SUBSIDY_RESTRICTED", _memo_2045)]),
	"customs_joint_measures": _with(_clean, "/customs/jointMeasures", [_joint_measure("CUSTOMS_CERTIFICATION_REFUSED", _memo_2045)]),
}

test_each_matter_gets_the_measure_of_each_list if {
	every rule, facts in _listed {
		every matter in _all_matters {
			d := _review(matter, facts, [])
			_measures(d) == _measure_set(rule, matter)
		}
	}
}

_measure_set(rule, matter) := {[rule, _expected_measures[rule][matter]]}

_measure_set(rule, matter) := set() if not _expected_measures[rule][matter]

_removed(entry) := object.union(entry, {"removedOn": "2025-12-01"})

test_removed_and_settled_entries_no_longer_count if {
	_review("FISCAL_SUBSIDY", _with(_clean, "/market/abnormalOperations", [_removed({"reason": "X", "listedOn": "2025-03-01", "authority": "某局"})]), []).outcome == "PASS"
	_review("FISCAL_SUBSIDY", _with(_clean, "/tax/majorViolations", [_removed({"caseNo": "C", "nature": "N", "listedOn": "2025-02-01"})]), []).outcome == "PASS"
	settled := [{"insuranceType": "PENSION", "amount": 1, "months": 1, "since": "2025-01-01", "settledOn": "2025-06-01"}]
	_review("FISCAL_SUBSIDY", _with(_clean, "/social/arrears", settled), []).outcome == "PASS"

	# One entry removed beside one still current: the current one counts.
	both := [_removed(_serious), object.union(_serious, {"decisionNo": "current"})]
	d := _review("BIDDING", _with(_clean, "/market/seriousViolations", both), [])
	d.outcome == "PROHIBIT"
	some f in d.findings
	[e.reference | some e in f.evidence] == ["current"]
}

test_two_ratings_for_one_year_give_the_worse if {
	two := _with(_clean, "/tax/ratings", [{"year": 2025, "rating": "A"}, {"year": 2025, "rating": "D"}, {"year": 2024, "rating": "A"}])
	d := _review("BIDDING", two, [])
	d.outcome == "RESTRICT"
	_measures(d) == {["tax_rating_d", "RESTRICT"]}

	# And no green channel on the kinder of the two.
	trusted := _with(_trusted, "/tax/ratings", [{"year": 2025, "rating": "B"}, {"year": 2025, "rating": "A"}])
	_review("CUSTOMS_CLEARANCE", trusted, []).outcome == "PASS"
}

test_arrears_whose_settlement_is_withheld_leave_the_green_channel_open_to_doubt if {
	# The list is seen, one entry in it, but not whether it was settled: it may have been.
	owing := _with(_trusted, "/social/arrears", [{"insuranceType": "PENSION", "amount": null, "months": null, "since": null, "settledOn": null}])
	d := _review_withheld("CUSTOMS_CLEARANCE", owing, ["ContributionArrear.settledOn"])
	d.outcome == "INCOMPLETE"
	d.withheld == {{"agency": "JOINT", "rule": "trustworthy", "coordinates": ["ContributionArrear.settledOn"]}}
}

_listed_operating := object.union(_listed, {"not_operating": _with(_clean, "/market/status", "REVOKED")})

test_a_rule_that_would_fire_is_withheld_when_any_one_of_its_facts_is if {
	# The facts on which each rule fires, each of its coordinates withheld in turn: no finding
	# rests on a fact the caller could not see, and the verdict says what is missing.
	every r in _rules_with_facts {
		[rule, matter, agency, coordinates, _] := r
		_measures(_review(matter, _listed_operating[rule], [])) != set()
		every c in coordinates {
			d := _review_withheld(matter, _listed_operating[rule], [c])
			count(d.findings) == 0
			d.outcome == "INCOMPLETE"
			d.withheld == {{"agency": agency, "rule": rule, "coordinates": [c]}}
		}
	}
}

test_no_priority_without_advanced_certification if {
	rated_a := _with(_clean, "/tax/ratings", [{"year": 2025, "rating": "A"}])
	d := _review("CUSTOMS_CLEARANCE", rated_a, [])
	d.outcome == "PASS"
	count(d.findings) == 0
}

test_no_priority_with_social_insurance_arrears_open if {
	# Arrears restrict subsidies only, but they close the green channel for every matter.
	owing := _with(_trusted, "/social/arrears", [{"insuranceType": "PENSION", "amount": 1, "months": 1, "since": "2026-01-01", "settledOn": null}])
	d := _review("CUSTOMS_CLEARANCE", owing, [])
	d.outcome == "PASS"
	count(d.findings) == 0
	settled := _with(_trusted, "/social/arrears", [{"insuranceType": "PENSION", "amount": 1, "months": 1, "since": "2025-01-01", "settledOn": "2025-06-01"}])
	_review("CUSTOMS_CLEARANCE", settled, []).outcome == "PRIORITY"
}

test_no_priority_when_a_negative_rule_is_withheld if {
	# Withheld market facts: the caller cannot know the enterprise is clean, so no green channel.
	d := _review_withheld("CUSTOMS_CLEARANCE", _trusted, ["MarketProfile.abnormalOperations"])
	d.outcome == "INCOMPLETE"
	count(d.findings) == 0
	{w.rule | some w in d.withheld} == {"abnormal_operations"}
}

test_a_joint_measure_in_force_restricts_its_matter_on_its_memorandum if {
	d := _review("FISCAL_SUBSIDY", _listed.social_joint_measures, [])
	d.outcome == "RESTRICT"
	d.findings == {{
		"agency": "SOCIAL", "measure": "RESTRICT", "rule": "social_joint_measures", "legalBasis": _memo_2045,
		"evidence": [{
			"kind": "JOINT_MEASURE", "reference": "SOCIAL_SUBSIDY_RESTRICTED", "date": "2026-01-05T08:00:00.000Z",
			"detail": "措施 (on market's serious_violation_listed event e1)", "inForceFrom": "2026-01-05", "inForceUntil": null,
		}],
	}}
}

test_joint_measures_on_two_memoranda_are_two_findings if {
	two := [
		_joint_measure("CUSTOMS_CERTIFICATION_REFUSED", _memo_2045),
		object.union(_joint_measure("CUSTOMS_INSPECTION_INTENSIFIED", "memo 3062"), {"sourceEventId": "e2"}),
	]
	d := _review("CUSTOMS_CLEARANCE", _with(_clean, "/customs/jointMeasures", two), [])
	d.outcome == "RESTRICT"
	{[f.legalBasis, [e.reference | some e in f.evidence]] | some f in d.findings} == {
		[_memo_2045, ["CUSTOMS_CERTIFICATION_REFUSED"]],
		["memo 3062", ["CUSTOMS_INSPECTION_INTENSIFIED"]],
	}
}

test_a_lifted_joint_measure_no_longer_counts if {
	lifted := object.union(_joint_measure("SOCIAL_SUBSIDY_RESTRICTED", _memo_2045), {"liftedOn": "2026-02-05T08:00:00.000Z"})
	_review("FISCAL_SUBSIDY", _with(_clean, "/social/jointMeasures", [lifted]), []).outcome == "PASS"
}

test_key_supervision_restricts_no_matter_but_closes_the_green_channel if {
	supervised := _with(_trusted, "/tax/jointMeasures", [_joint_measure("TAX_KEY_SUPERVISION", _memo_2045)])
	every matter in _all_matters {
		d := _review(matter, supervised, [])
		d.outcome == "PASS"
		count(d.findings) == 0
	}
	lifted := _with(_trusted, "/tax/jointMeasures", [object.union(_joint_measure("TAX_KEY_SUPERVISION", _memo_2045), {"liftedOn": "2026-02-05T08:00:00.000Z"})])
	_review("CUSTOMS_CLEARANCE", lifted, []).outcome == "PRIORITY"
}

test_no_green_channel_on_joint_measures_the_caller_could_not_see if {
	d := _review_withheld("CUSTOMS_CLEARANCE", _hidden(_trusted, "/tax/jointMeasures"), ["TaxProfile.jointMeasures"])
	d.outcome == "INCOMPLETE"
	count(d.findings) == 0
	d.withheld == {{"agency": "JOINT", "rule": "trustworthy", "coordinates": ["TaxProfile.jointMeasures"]}}
}

test_each_joint_measure_rule_applies_to_the_matters_its_agency_s_measures_bear_on if {
	every rule, _ in review._joint_measure_rules {
		review._rule_matters[rule] == {matter |
			some m in review._joint_measures
			m.agency == review._rule_agency[rule]
			some matter in m.matters
		}
	}
}

_review_as_of(matter, facts, as_of) := d if {
	d := review.decision with input as {"matter": matter, "facts": facts, "unavailable": [], "asOf": as_of}
}

test_a_list_entry_counts_only_on_the_days_it_is_in_force if {
	# Listed 1 May 2024, public until 30 April 2027 (three years).
	listed := object.union(_serious, {"publicUntil": "2027-04-30"})
	facts := _with(_clean, "/market/seriousViolations", [listed])
	_review_as_of("BIDDING", facts, "2024-04-30").outcome == "PASS"
	_review_as_of("BIDDING", facts, "2024-05-01").outcome == "PROHIBIT"
	_review_as_of("BIDDING", facts, "2027-04-30").outcome == "PROHIBIT"
	_review_as_of("BIDDING", facts, "2027-05-01").outcome == "PASS"

	# Removed on 10 January 2025: in force the day before, not that day.
	removed := _with(_clean, "/market/seriousViolations", [object.union(_serious, {"removedOn": "2025-01-10", "publicUntil": "2025-01-09"})])
	_review_as_of("BIDDING", removed, "2025-01-09").outcome == "PROHIBIT"
	_review_as_of("BIDDING", removed, "2025-01-10").outcome == "PASS"
}

test_a_finding_says_the_period_of_the_entry_it_rests_on if {
	listed := object.union(_serious, {"publicUntil": "2027-04-30"})
	d := _review_as_of("BIDDING", _with(_clean, "/market/seriousViolations", [listed]), "2026-01-01")
	some f in d.findings
	[[e.inForceFrom, e.inForceUntil] | some e in f.evidence] == [["2024-05-01", "2027-04-30"]]
}

test_arrears_and_joint_measures_count_on_the_days_they_are_owed_and_in_force if {
	owed := _with(_clean, "/social/arrears", [{"insuranceType": "PENSION", "amount": 1, "months": 1, "since": "2025-01-01", "settledOn": "2025-06-01"}])
	_review_as_of("FISCAL_SUBSIDY", owed, "2024-12-31").outcome == "PASS"
	_review_as_of("FISCAL_SUBSIDY", owed, "2025-03-01").outcome == "RESTRICT"
	_review_as_of("FISCAL_SUBSIDY", owed, "2025-06-01").outcome == "PASS"

	lifted := object.union(_joint_measure("SOCIAL_SUBSIDY_RESTRICTED", _memo_2045), {"liftedOn": "2026-02-05T08:00:00.000Z"})
	measures := _with(_clean, "/social/jointMeasures", [lifted])
	_review_as_of("FISCAL_SUBSIDY", measures, "2026-01-04").outcome == "PASS"
	d := _review_as_of("FISCAL_SUBSIDY", measures, "2026-02-04")
	d.outcome == "RESTRICT"
	some f in d.findings
	[[e.inForceFrom, e.inForceUntil] | some e in f.evidence] == [["2026-01-05", "2026-02-05"]]
	_review_as_of("FISCAL_SUBSIDY", measures, "2026-02-05").outcome == "PASS"
}

test_a_rating_counts_from_the_day_it_was_evaluated if {
	rated := _with(_clean, "/tax/ratings", [{"year": 2025, "rating": "D", "evaluatedOn": "2026-04-15"}, {"year": 2024, "rating": "B", "evaluatedOn": "2025-04-15"}])
	_review_as_of("BIDDING", rated, "2026-04-14").outcome == "PASS"
	_review_as_of("BIDDING", rated, "2026-04-15").outcome == "RESTRICT"
}

test_a_joint_measure_counts_from_its_day_in_beijing if {
	# Taken at 07:30 in Beijing on 5 March, which is still the 4th in UTC.
	late := object.union(_joint_measure("SOCIAL_SUBSIDY_RESTRICTED", _memo_2045), {"effectiveFrom": "2026-03-04T23:30:00.000Z", "effectiveDay": "2026-03-05"})
	measures := _with(_clean, "/social/jointMeasures", [late])
	_review_as_of("FISCAL_SUBSIDY", measures, "2026-03-04").outcome == "PASS"
	_review_as_of("FISCAL_SUBSIDY", measures, "2026-03-05").outcome == "RESTRICT"
}
