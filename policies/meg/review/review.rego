# METADATA
# title: Joint review
# description: |
#   Joint punishment of dishonesty and joint incentives for the trustworthy (失信联合惩戒、守信联合激励):
#   maps an approval matter and the facts each agency holds about an enterprise (its own entries,
#   and the joint measures it took on other agencies' credit events) to measures —
#   PROHIBIT, RESTRICT, PRIORITY (the green channel) — each with its legal basis and evidence,
#   and to a verdict. An agency that did not answer makes the verdict INCOMPLETE, never a PASS,
#   unless another agency's finding already prohibits. So does a rule whose facts the caller's
#   access policy withheld (input.withheld: the field coordinates the caller may not see in
#   clear): such a rule is not applied to what little it could see, but named as WITHHELD.
package meg.review

_matters := {
	"GOVERNMENT_PROCUREMENT", "BIDDING", "FISCAL_SUBSIDY", "ADMINISTRATIVE_LICENCE",
	"STATE_LAND_TRANSFER", "LISTING", "CUSTOMS_CLEARANCE", "LEGAL_REPRESENTATIVE_APPOINTMENT",
}

# METADATA
# description: |
#   Findings, withheld rules and the verdict for input.matter over input.facts (by agency),
#   input.unavailable (agencies that did not answer) and input.withheld (coordinates withheld
#   from the caller).
# entrypoint: true
decision := {"findings": findings, "withheld": withheld, "outcome": outcome} if {
	input.matter in _matters
} else := {"error": sprintf("unknown matter %v", [input.matter])}

# METADATA
# description: All measures that apply, negative ones and the green channel.
findings := _negative | _priority

# METADATA
# description: |
#   The rules that apply to the matter but whose facts were withheld from the caller, each with
#   its agency and the coordinates it needed. The green channel counts only when the facts the
#   caller did see leave it open.
withheld := {_withheld_finding(_rule_agency[rule], rule, _withheld_facts(_rule_facts[rule])) | some rule in object.keys(_rule_facts); _blocked(rule)} | _priority_withheld

# METADATA
# description: |
#   PROHIBIT beats everything; an agency that did not answer, or a rule whose facts were withheld,
#   makes the verdict INCOMPLETE; then RESTRICT, PRIORITY, PASS.
outcome := "PROHIBIT" if {
	some f in findings
	f.measure == "PROHIBIT"
} else := "INCOMPLETE" if {
	count(input.unavailable) > 0
} else := "INCOMPLETE" if {
	count(withheld) > 0
} else := "RESTRICT" if {
	some f in findings
	f.measure == "RESTRICT"
} else := "PRIORITY" if {
	some f in findings
	f.measure == "PRIORITY"
} else := "PASS"

# The facts each negative rule decides on, as field coordinates of the graph: the list or value
# and what tells whether an entry is current, with the agency profile above them. If the caller
# may not see one of them in clear, the rule cannot be applied: an entry whose removal date is
# hidden looks current, a withheld list looks empty, a withheld profile looks like no record.
_rule_facts := {
	"serious_violation": {"Enterprise.market", "MarketProfile.seriousViolations", "SeriousViolationEntry.removedOn"},
	"not_operating": {"Enterprise.market", "MarketProfile.status"},
	"not_registered": {"Enterprise.market"},
	"abnormal_operations": {"Enterprise.market", "MarketProfile.abnormalOperations", "AbnormalOperationEntry.removedOn"},
	"major_tax_violation": {"Enterprise.tax", "TaxProfile.majorViolations", "MajorTaxViolation.removedOn"},
	"tax_rating_d": {"Enterprise.tax", "TaxProfile.creditRatings", "TaxCreditRating.year", "TaxCreditRating.rating"},
	"social_insurance_arrears": {"Enterprise.social", "SocialProfile.arrears", "ContributionArrear.settledOn"},
	"customs_dishonest": {"Enterprise.customs", "CustomsProfile.creditLevel"},
	"market_joint_measures": _joint_measure_facts("market", "MarketProfile"),
	"social_joint_measures": _joint_measure_facts("social", "SocialProfile"),
	"customs_joint_measures": _joint_measure_facts("customs", "CustomsProfile"),
}

_joint_measure_facts(key, profile) := {sprintf("Enterprise.%v", [key]), sprintf("%v.jointMeasures", [profile]), "JointMeasure.measure", "JointMeasure.liftedOn"}

# The agency whose facts each negative rule reads.
_rule_agency := {
	"serious_violation": "MARKET", "not_operating": "MARKET", "not_registered": "MARKET",
	"abnormal_operations": "MARKET", "major_tax_violation": "TAX", "tax_rating_d": "TAX",
	"social_insurance_arrears": "SOCIAL", "customs_dishonest": "CUSTOMS",
	"market_joint_measures": "MARKET", "social_joint_measures": "SOCIAL", "customs_joint_measures": "CUSTOMS",
}

# The matters a rule applies to, where it does not apply to all of them.
_rule_matters := {
	"social_insurance_arrears": {"FISCAL_SUBSIDY"},
	"customs_dishonest": {"CUSTOMS_CLEARANCE"},
	# The matters the agency's joint measures bear on (_joint_measures; a test holds the two together).
	"market_joint_measures": {"LEGAL_REPRESENTATIVE_APPOINTMENT"},
	"social_joint_measures": {"FISCAL_SUBSIDY"},
	"customs_joint_measures": {"CUSTOMS_CLEARANCE"},
}

_applies(rule) if not _rule_matters[rule]

_applies(rule) if input.matter in _rule_matters[rule]

# The coordinates among `facts` withheld from the caller.
_withheld_facts(facts) := {c | some c in object.get(input, "withheld", []); c in facts}

# A rule that applies to the matter and needs a fact the caller may not see.
_blocked(rule) if {
	_applies(rule)
	count(_withheld_facts(_rule_facts[rule])) > 0
}

_withheld_finding(agency, rule, coordinates) := {"agency": agency, "rule": rule, "coordinates": sort(coordinates)}

# An enterprise on the serious-violation (dishonesty) list is barred from public money and land.
_serious_violation_measure := {
	"GOVERNMENT_PROCUREMENT": "PROHIBIT", "BIDDING": "PROHIBIT", "FISCAL_SUBSIDY": "PROHIBIT",
	"STATE_LAND_TRANSFER": "PROHIBIT", "ADMINISTRATIVE_LICENCE": "RESTRICT", "LISTING": "RESTRICT",
	"CUSTOMS_CLEARANCE": "RESTRICT", "LEGAL_REPRESENTATIVE_APPOINTMENT": "RESTRICT",
}

# A major tax violation bars procurement, bidding and subsidies, and restricts everything else.
_major_tax_violation_measure := {"GOVERNMENT_PROCUREMENT": "PROHIBIT", "BIDDING": "PROHIBIT", "FISCAL_SUBSIDY": "PROHIBIT"}

_negative contains _finding("MARKET", _serious_violation_measure[input.matter], "serious_violation", "《严重违法失信名单管理办法》（国家市场监督管理总局令第44号）", evidence) if {
	not _blocked("serious_violation")
	evidence := [_entry_evidence("SERIOUS_VIOLATION_LIST", e.decisionNo, e.reason, e) |
		some e in _list(["market", "seriousViolations"])
		_current(e)
	]
	count(evidence) > 0
}

_negative contains _finding("MARKET", "PROHIBIT", "not_operating", "《中华人民共和国市场主体登记管理条例》", [_evidence("REGISTRATION_STATUS", status, null, "the business licence is revoked or the registration cancelled")]) if {
	not _blocked("not_operating")
	status := object.get(input.facts, ["market", "status"], null)
	status in {"REVOKED", "CANCELLED"}
}

# No market entity under this code: nothing may proceed in its name.
_negative contains _finding("MARKET", "PROHIBIT", "not_registered", "《中华人民共和国市场主体登记管理条例》第三条", [_evidence("REGISTRATION_STATUS", "NOT_REGISTERED", null, "no market entity is registered under this code")]) if {
	not _blocked("not_registered")
	input.facts.market == null
}

_negative contains _finding("MARKET", "RESTRICT", "abnormal_operations", "《企业信息公示暂行条例》第十八条", evidence) if {
	not _blocked("abnormal_operations")
	evidence := [_entry_evidence("ABNORMAL_OPERATIONS_LIST", e.reason, e.authority, e) |
		some e in _list(["market", "abnormalOperations"])
		_current(e)
	]
	count(evidence) > 0
}

_negative contains _finding("TAX", object.get(_major_tax_violation_measure, input.matter, "RESTRICT"), "major_tax_violation", "《重大税收违法失信主体信息公布管理办法》（国家税务总局令第54号）", evidence) if {
	not _blocked("major_tax_violation")
	evidence := [_entry_evidence("MAJOR_TAX_VIOLATION_LIST", e.caseNo, e.nature, e) |
		some e in _list(["tax", "majorViolations"])
		_current(e)
	]
	count(evidence) > 0
}

_negative contains _finding("TAX", "RESTRICT", "tax_rating_d", "《纳税信用管理办法（试行）》第三十二条", [_rating_evidence(latest)]) if {
	not _blocked("tax_rating_d")
	latest := _latest_rating
	latest.rating == "D"
}

_negative contains _finding("SOCIAL", "RESTRICT", "social_insurance_arrears", "《中华人民共和国社会保险法》第八十六条", evidence) if {
	not _blocked("social_insurance_arrears")
	_applies("social_insurance_arrears")
	evidence := [_period_evidence("SOCIAL_INSURANCE_ARREARS", e.insuranceType, e.since, sprintf("%v months owed", [e.months]), e.since, object.get(e, "settledOn", null)) |
		some e in _list(["social", "arrears"])
		_unsettled(e)
	]
	count(evidence) > 0
}

_negative contains _finding("CUSTOMS", "RESTRICT", "customs_dishonest", "《中华人民共和国海关注册登记和备案企业信用管理办法》（海关总署令第251号）", [_evidence("CUSTOMS_CREDIT_LEVEL", "DISHONEST", object.get(input.facts, ["customs", "creditLevelSince"], null), "dishonest enterprise")]) if {
	not _blocked("customs_dishonest")
	_applies("customs_dishonest")
	object.get(input.facts, ["customs", "creditLevel"], null) == "DISHONEST"
}

# The joint measures (联动响应) an agency took in its own business on another agency's credit event
# (policies/meg/response) that bear on approval matters: the agency that takes each and the
# matters it restricts. A measure in force restricts those matters, on the memorandum the measure
# rests on; the key-supervision measures bear on no approval, but any measure in force closes the
# green channel.
_joint_measures := {
	"SOCIAL_SUBSIDY_RESTRICTED": {"agency": "SOCIAL", "matters": {"FISCAL_SUBSIDY"}},
	"CUSTOMS_CERTIFICATION_REFUSED": {"agency": "CUSTOMS", "matters": {"CUSTOMS_CLEARANCE"}},
	"CUSTOMS_INSPECTION_INTENSIFIED": {"agency": "CUSTOMS", "matters": {"CUSTOMS_CLEARANCE"}},
	"LEGAL_REPRESENTATIVE_RESTRICTED": {"agency": "MARKET", "matters": {"LEGAL_REPRESENTATIVE_APPOINTMENT"}},
}

# The rule that reads each agency's joint measures, and the key of its profile among the facts.
_joint_measure_rules := {"market_joint_measures": "market", "social_joint_measures": "social", "customs_joint_measures": "customs"}

_bears_on_matter(m) if input.matter in _joint_measures[m.measure].matters

# A joint measure in force on the review's day: in effect by then and not lifted by then.
_in_force(m) if {
	not _as_of
	m.liftedOn == null
}

_in_force(m) if {
	_on_or_before(_measure_day(m, "effectiveDay", "effectiveFrom"), _as_of)
	_after_or_open(_measure_day(m, "liftedDay", "liftedOn"), _as_of)
}

# A joint measure's day in Beijing, as the review service gives it; else the day of the UTC instant.
_measure_day(m, day, instant) := object.get(m, day, _day(object.get(m, instant, null)))

# One finding per agency and legal basis, its evidence the measures in force on that basis.
_negative contains _finding(_rule_agency[rule], "RESTRICT", rule, basis, evidence) if {
	some rule, key in _joint_measure_rules
	_applies(rule)
	not _blocked(rule)
	bearing := [m | some m in _list([key, "jointMeasures"]); _in_force(m); _bears_on_matter(m)]
	some basis in {m.basis | some m in bearing}
	evidence := [_period_evidence("JOINT_MEASURE", m.measure, m.effectiveFrom, sprintf("%v (on %v's %v event %v)", [m.description, m.sourceAgency, m.sourceKind, m.sourceEventId]), _measure_day(m, "effectiveDay", "effectiveFrom"), _measure_day(m, "liftedDay", "liftedOn")) |
		some m in bearing
		m.basis == basis
	]
}

_any_joint_measure_in_force if {
	some key in ["market", "tax", "social", "customs"]
	some m in _list([key, "jointMeasures"])
	_in_force(m)
}

# The facts that tell whether any joint measure is in force.
_joint_measure_trust_facts := {"MarketProfile.jointMeasures", "TaxProfile.jointMeasures", "SocialProfile.jointMeasures", "CustomsProfile.jointMeasures", "JointMeasure.liftedOn"}

# The green channel: a tax rating of A, customs advanced certification, every agency heard,
# nothing negative anywhere, no arrears open, no joint measure in force, and every one of these
# facts seen in clear.
_priority contains _finding("JOINT", "PRIORITY", "trustworthy", "《关于对纳税信用A级纳税人实施联合激励措施的合作备忘录》（发改财金〔2016〕1467号）", [
	_rating_evidence(latest),
	_evidence("CUSTOMS_CREDIT_LEVEL", "ADVANCED_CERTIFIED", object.get(input.facts, ["customs", "creditLevelSince"], null), "advanced certified enterprise"),
]) if {
	count(input.unavailable) == 0
	count(_negative) == 0
	not _any_negative_blocked
	count(_withheld_facts(_trust_facts)) == 0
	latest := _latest_rating
	latest.rating == "A"
	object.get(input.facts, ["customs", "creditLevel"], null) == "ADVANCED_CERTIFIED"
	not _open(["social", "arrears"], "settledOn")
	not _open(["tax", "arrears"], "settledOn")
	not _any_joint_measure_in_force
}

# The facts the green channel decides on.
_trust_facts := {
	"Enterprise.tax", "TaxProfile.creditRatings", "TaxCreditRating.year", "TaxCreditRating.rating",
	"TaxProfile.arrears", "TaxArrear.settledOn",
	"Enterprise.customs", "CustomsProfile.creditLevel",
	"Enterprise.social", "SocialProfile.arrears", "ContributionArrear.settledOn",
} | _joint_measure_trust_facts

_any_negative_blocked if {
	some rule in object.keys(_rule_facts)
	_blocked(rule)
}

# The green channel is withheld when facts it needs were withheld and what the caller did see
# leaves it open: each condition holds, or the facts that would decide it were withheld.
_priority_withheld contains _withheld_finding("JOINT", "trustworthy", missing) if {
	count(input.unavailable) == 0
	count(_negative) == 0
	missing := _withheld_facts(_trust_facts)
	count(missing) > 0
	_rating_a_possible
	_advanced_possible
	_no_open_arrears_possible(["tax", "arrears"], {"Enterprise.tax", "TaxProfile.arrears", "TaxArrear.settledOn"})
	_no_open_arrears_possible(["social", "arrears"], {"Enterprise.social", "SocialProfile.arrears", "ContributionArrear.settledOn"})
	_no_joint_measure_possible
}

_no_joint_measure_possible if not _any_joint_measure_in_force

_no_joint_measure_possible if count(_withheld_facts(_joint_measure_trust_facts)) > 0

_rating_a_possible if _latest_rating.rating == "A"

_rating_a_possible if count(_withheld_facts({"Enterprise.tax", "TaxProfile.creditRatings", "TaxCreditRating.year", "TaxCreditRating.rating"})) > 0

_advanced_possible if object.get(input.facts, ["customs", "creditLevel"], null) == "ADVANCED_CERTIFIED"

_advanced_possible if count(_withheld_facts({"Enterprise.customs", "CustomsProfile.creditLevel"})) > 0

_no_open_arrears_possible(path, _) if not _open(path, "settledOn")

_no_open_arrears_possible(_, facts) if count(_withheld_facts(facts)) > 0

# The rating of the newest year. Two ratings for one year (a correction recorded beside the
# first) give the worse of the two: a review never rests on the kinder of two records.
_latest_rating := r if {
	ratings := [x | some x in _list(["tax", "ratings"]); _evaluated_by_as_of(x)]
	count(ratings) > 0
	newest := max({x.year | some x in ratings})
	worst := max({_rating_severity[x.rating] | some x in ratings; x.year == newest})
	r := [x | some x in ratings; x.year == newest; _rating_severity[x.rating] == worst][0]
}

# A rating counts once it was evaluated, by the review's day.
_evaluated_by_as_of(_) if not _as_of

_evaluated_by_as_of(r) if _on_or_before(object.get(r, "evaluatedOn", null), _as_of)

# Tax credit grades from best to worst (纳税信用等级 A, B, M, C, D).
_rating_severity := {"A": 0, "B": 1, "M": 2, "C": 3, "D": 4}

# True when a list the caller may see has arrears still owed on the review's day.
_open(path, "settledOn") if {
	some e in _list(path)
	_unsettled(e)
}

# Arrears owed on the review's day: begun by then and not settled by then.
_unsettled(e) if {
	not _as_of
	e.settledOn == null
}

_unsettled(e) if {
	_on_or_before(object.get(e, "since", null), _as_of)
	_after_or_open(object.get(e, "settledOn", null), _as_of)
}

_list(path) := list if {
	list := object.get(input.facts, path, [])
	is_array(list)
} else := []

# The day the review is made as of (YYYY-MM-DD); without it, what is recorded as standing counts.
_as_of := input.asOf if is_string(input.asOf)

# A list entry in force on the review's day: listed by then, not removed by then, and within its
# publicity period (公示期), past which it weighs in no review.
_current(entry) if {
	not _as_of
	entry.removedOn == null
}

_current(entry) if {
	_on_or_before(object.get(entry, "listedOn", null), _as_of)
	_after_or_open(object.get(entry, "removedOn", null), _as_of)
	_on_or_after_or_open(object.get(entry, "publicUntil", null), _as_of)
}

# Dates compare as written (YYYY-MM-DD); a date not given does not bound.
_on_or_before(null, _)

_on_or_before(day, as_of) if day <= as_of

_after_or_open(null, _)

_after_or_open(day, as_of) if day > as_of

_on_or_after_or_open(null, _)

_on_or_after_or_open(day, as_of) if day >= as_of

# The day of an instant written ISO 8601 (its first ten characters), or null.
_day(null) := null

_day(instant) := substring(instant, 0, 10) if is_string(instant)

# Evidence of a list entry: its reference, its day of listing and the period it is in force.
_entry_evidence(kind, reference, detail, e) := _period_evidence(kind, reference, e.listedOn, detail, e.listedOn, object.get(e, "publicUntil", null))

_period_evidence(kind, reference, date, detail, from, until) := object.union(_evidence(kind, reference, date, detail), {"inForceFrom": from, "inForceUntil": until})

_rating_evidence(r) := _evidence("TAX_CREDIT_RATING", r.rating, sprintf("%v", [r.year]), sprintf("tax credit rating %v for %v", [r.rating, r.year]))

_evidence(kind, reference, date, detail) := {"kind": kind, "reference": reference, "date": date, "detail": detail}

_finding(agency, measure, rule, basis, evidence) := {"agency": agency, "measure": measure, "rule": rule, "legalBasis": basis, "evidence": evidence}
