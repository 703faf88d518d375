package meg.response_test

import data.meg.response

_event(agency, kind, entry) := {"agency": agency, "kind": kind, "uscc": "91110105MA01ABCD1X", "data": {"entryId": "e1", "entry": entry}}

_imposed(responder, event) := {m.measure | some m in _answer(responder, event).impose}

_lifts(responder, event) if _answer(responder, event).lift

_answer(responder, event) := a if {
	a := response.response with input as {"responder": responder, "event": event}
}

test_serious_violation_listing_answered_by_tax_customs_and_social if {
	listed := _event("market", "serious_violation_listed", {})
	_imposed("tax", listed) == {"TAX_KEY_SUPERVISION"}
	_imposed("customs", listed) == {"CUSTOMS_CERTIFICATION_REFUSED"}
	_imposed("social", listed) == {"SOCIAL_SUBSIDY_RESTRICTED"}
	_imposed("market", listed) == set()
	not _lifts("tax", listed)
}

test_every_measure_names_its_legal_basis if {
	every m in response.measures {
		contains(m.basis, "备忘录")
		m.description != ""
	}
}

test_major_tax_violation_answered_by_market_and_customs if {
	listed := _event("tax", "major_tax_violation_listed", {})
	_imposed("market", listed) == {"LEGAL_REPRESENTATIVE_RESTRICTED"}
	_imposed("customs", listed) == {"CUSTOMS_INSPECTION_INTENSIFIED"}
	_imposed("tax", listed) == set()
}

test_customs_dishonest_rating_answered_only_when_dishonest if {
	dishonest := _event("customs", "customs_credit_level_set", {"credit_level": "DISHONEST"})
	_imposed("tax", dishonest) == {"TAX_KEY_SUPERVISION"}
	_imposed("market", dishonest) == {"KEY_SUPERVISION"}
	not _lifts("tax", dishonest)
	general := _event("customs", "customs_credit_level_set", {"credit_level": "GENERAL"})
	_imposed("tax", general) == set()
	_lifts("tax", general)
}

test_removals_lift if {
	_lifts("tax", _event("market", "serious_violation_removed", {}))
	_lifts("customs", _event("market", "serious_violation_removed", {}))
	_lifts("market", _event("tax", "major_tax_violation_removed", {}))
	_imposed("tax", _event("market", "serious_violation_removed", {})) == set()
}

test_other_events_neither_impose_nor_lift if {
	penalty := _event("market", "penalty_recorded", {})
	_imposed("tax", penalty) == set()
	not _lifts("tax", penalty)
}

test_each_agency_consumes_the_subjects_that_concern_it if {
	response.subjects == {"meg.credit.market.serious_violation_listed", "meg.credit.market.serious_violation_removed", "meg.credit.customs.customs_credit_level_set"} with input as {"responder": "tax"}
	response.subjects == {"meg.credit.tax.major_tax_violation_listed", "meg.credit.tax.major_tax_violation_removed", "meg.credit.customs.customs_credit_level_set"} with input as {"responder": "market"}
	response.subjects == {"meg.credit.market.serious_violation_listed", "meg.credit.market.serious_violation_removed"} with input as {"responder": "social"}
}
