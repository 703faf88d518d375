# METADATA
# title: Joint review
# description: |
#   Joint punishment of dishonesty and joint incentives for the trustworthy (失信联合惩戒、守信联合激励):
#   maps an approval matter and the facts each agency holds about an enterprise to measures —
#   PROHIBIT, RESTRICT, PRIORITY (the green channel) — each with its legal basis and evidence,
#   and to a verdict. An agency that did not answer makes the verdict INCOMPLETE, never a PASS,
#   unless another agency's finding already prohibits.
package meg.review

_matters := {
	"GOVERNMENT_PROCUREMENT", "BIDDING", "FISCAL_SUBSIDY", "ADMINISTRATIVE_LICENCE",
	"STATE_LAND_TRANSFER", "LISTING", "CUSTOMS_CLEARANCE", "LEGAL_REPRESENTATIVE_APPOINTMENT",
}

# METADATA
# description: Findings and the verdict for input.matter over input.facts (by agency) and input.unavailable.
# entrypoint: true
decision := {"findings": findings, "outcome": outcome} if {
	input.matter in _matters
} else := {"error": sprintf("unknown matter %v", [input.matter])}

# METADATA
# description: All measures that apply, negative ones and the green channel.
findings := _negative | _priority

# METADATA
# description: PROHIBIT beats everything; a missing agency makes the verdict INCOMPLETE; then RESTRICT, PRIORITY, PASS.
outcome := "PROHIBIT" if {
	some f in findings
	f.measure == "PROHIBIT"
} else := "INCOMPLETE" if {
	count(input.unavailable) > 0
} else := "RESTRICT" if {
	some f in findings
	f.measure == "RESTRICT"
} else := "PRIORITY" if {
	some f in findings
	f.measure == "PRIORITY"
} else := "PASS"

# An enterprise on the serious-violation (dishonesty) list is barred from public money and land.
_serious_violation_measure := {
	"GOVERNMENT_PROCUREMENT": "PROHIBIT", "BIDDING": "PROHIBIT", "FISCAL_SUBSIDY": "PROHIBIT",
	"STATE_LAND_TRANSFER": "PROHIBIT", "ADMINISTRATIVE_LICENCE": "RESTRICT", "LISTING": "RESTRICT",
	"CUSTOMS_CLEARANCE": "RESTRICT", "LEGAL_REPRESENTATIVE_APPOINTMENT": "RESTRICT",
}

# A major tax violation bars procurement, bidding and subsidies, and restricts everything else.
_major_tax_violation_measure := {"GOVERNMENT_PROCUREMENT": "PROHIBIT", "BIDDING": "PROHIBIT", "FISCAL_SUBSIDY": "PROHIBIT"}

_negative contains _finding("MARKET", _serious_violation_measure[input.matter], "serious_violation", "《严重违法失信名单管理办法》（国家市场监督管理总局令第44号）", evidence) if {
	evidence := [_evidence("SERIOUS_VIOLATION_LIST", e.decisionNo, e.listedOn, e.reason) |
		some e in _list(["market", "seriousViolations"])
		_current(e)
	]
	count(evidence) > 0
}

_negative contains _finding("MARKET", "PROHIBIT", "not_operating", "《中华人民共和国市场主体登记管理条例》", [_evidence("REGISTRATION_STATUS", status, null, "the business licence is revoked or the registration cancelled")]) if {
	status := object.get(input.facts, ["market", "status"], null)
	status in {"REVOKED", "CANCELLED"}
}

# No market entity under this code: nothing may proceed in its name.
_negative contains _finding("MARKET", "PROHIBIT", "not_registered", "《中华人民共和国市场主体登记管理条例》第三条", [_evidence("REGISTRATION_STATUS", "NOT_REGISTERED", null, "no market entity is registered under this code")]) if {
	input.facts.market == null
}

_negative contains _finding("MARKET", "RESTRICT", "abnormal_operations", "《企业信息公示暂行条例》第十八条", evidence) if {
	evidence := [_evidence("ABNORMAL_OPERATIONS_LIST", e.reason, e.listedOn, e.authority) |
		some e in _list(["market", "abnormalOperations"])
		_current(e)
	]
	count(evidence) > 0
}

_negative contains _finding("TAX", object.get(_major_tax_violation_measure, input.matter, "RESTRICT"), "major_tax_violation", "《重大税收违法失信主体信息公布管理办法》（国家税务总局令第54号）", evidence) if {
	evidence := [_evidence("MAJOR_TAX_VIOLATION_LIST", e.caseNo, e.listedOn, e.nature) |
		some e in _list(["tax", "majorViolations"])
		_current(e)
	]
	count(evidence) > 0
}

_negative contains _finding("TAX", "RESTRICT", "tax_rating_d", "《纳税信用管理办法（试行）》第三十二条", [_rating_evidence(latest)]) if {
	latest := _latest_rating
	latest.rating == "D"
}

_negative contains _finding("SOCIAL", "RESTRICT", "social_insurance_arrears", "《中华人民共和国社会保险法》第八十六条", evidence) if {
	input.matter == "FISCAL_SUBSIDY"
	evidence := [_evidence("SOCIAL_INSURANCE_ARREARS", e.insuranceType, e.since, sprintf("%v months owed", [e.months])) |
		some e in _list(["social", "arrears"])
		e.settledOn == null
	]
	count(evidence) > 0
}

_negative contains _finding("CUSTOMS", "RESTRICT", "customs_dishonest", "《中华人民共和国海关注册登记和备案企业信用管理办法》（海关总署令第251号）", [_evidence("CUSTOMS_CREDIT_LEVEL", "DISHONEST", object.get(input.facts, ["customs", "creditLevelSince"], null), "dishonest enterprise")]) if {
	input.matter == "CUSTOMS_CLEARANCE"
	object.get(input.facts, ["customs", "creditLevel"], null) == "DISHONEST"
}

# The green channel: a tax rating of A, customs advanced certification, every agency heard and
# nothing negative anywhere.
_priority contains _finding("JOINT", "PRIORITY", "trustworthy", "《关于对纳税信用A级纳税人实施联合激励措施的合作备忘录》（发改财金〔2016〕1467号）", [
	_rating_evidence(latest),
	_evidence("CUSTOMS_CREDIT_LEVEL", "ADVANCED_CERTIFIED", object.get(input.facts, ["customs", "creditLevelSince"], null), "advanced certified enterprise"),
]) if {
	count(input.unavailable) == 0
	count(_negative) == 0
	latest := _latest_rating
	latest.rating == "A"
	object.get(input.facts, ["customs", "creditLevel"], null) == "ADVANCED_CERTIFIED"
	not _open(["social", "arrears"], "settledOn")
	not _open(["tax", "arrears"], "settledOn")
}

_latest_rating := r if {
	ratings := _list(["tax", "ratings"])
	count(ratings) > 0
	newest := max({x.year | some x in ratings})
	some r in ratings
	r.year == newest
}

# True when a list the caller may see has an entry still open (arrears not settled).
_open(path, closed_field) if {
	some e in _list(path)
	e[closed_field] == null
}

_list(path) := list if {
	list := object.get(input.facts, path, [])
	is_array(list)
} else := []

_current(entry) if entry.removedOn == null

_rating_evidence(r) := _evidence("TAX_CREDIT_RATING", r.rating, sprintf("%v", [r.year]), sprintf("tax credit rating %v for %v", [r.rating, r.year]))

_evidence(kind, reference, date, detail) := {"kind": kind, "reference": reference, "date": date, "detail": detail}

_finding(agency, measure, rule, basis, evidence) := {"agency": agency, "measure": measure, "rule": rule, "legalBasis": basis, "evidence": evidence}
