package meg.access_test

import data.meg.access

_catalogue := {
	"MarketProfile.name": {"owners": ["market"], "sharing": "PUBLIC", "personal": false, "mask": null, "purposes": []},
	"TaxProfile.taxpayerType": {"owners": ["tax"], "sharing": "UNCONDITIONAL", "personal": false, "mask": null, "purposes": []},
	"Person.phone": {"owners": ["market"], "sharing": "UNCONDITIONAL", "personal": true, "mask": "PHONE", "purposes": []},
	"TaxProfile.arrears": {
		"owners": ["tax"], "sharing": "CONDITIONAL", "personal": false, "mask": null,
		"purposes": ["JOINT_PUNISHMENT", "PUBLIC_PROCUREMENT"],
	},
	"LegalRepresentative.idNumber": {
		"owners": ["market"], "sharing": "CONDITIONAL", "personal": true, "mask": "ID_NUMBER",
		"purposes": ["JOINT_PUNISHMENT", "REGISTRATION_REVIEW"],
	},
	"TaxFiling.revenue": {"owners": ["tax"], "sharing": "NONE", "personal": false, "mask": null, "purposes": []},
	"Query.auditLog": {"owners": ["audit"], "sharing": "NONE", "personal": false, "mask": null, "purposes": []},
	"PublicationCompliance.market": {
		"owners": ["market"], "sharing": "CONDITIONAL", "personal": false, "mask": null,
		"purposes": ["AUDIT", "CREDIT_SUPERVISION"],
	},
}

_public := {"public": true, "sub": "public", "agency": null, "roles": [], "region": null}

_customs_officer := {"public": false, "sub": "c1", "agency": "CUSTOMS", "roles": ["officer"], "region": "310000"}

_tax_officer := {"public": false, "sub": "t1", "agency": "TAX", "roles": ["officer"], "region": "110000"}

_procurement := {"public": false, "sub": "p1", "agency": "PROCUREMENT_CENTRE", "roles": ["approval-system"], "region": null}

_auditor := {"public": false, "sub": "a1", "agency": "AUDIT_OFFICE", "roles": ["auditor"], "region": null}

_no_role := {"public": false, "sub": "x1", "agency": "CUSTOMS", "roles": [], "region": null}

_decide(coordinate, principal, purpose) := d if {
	d := access.decisions[coordinate] with input as {"principal": principal, "purpose": purpose, "coordinates": [coordinate]}
		with data.meg.catalogue as _catalogue
}

_effect(coordinate, principal, purpose) := [d.effect, d.rule] if {
	d := _decide(coordinate, principal, purpose)
}

test_unclassified_field_denied if {
	_effect("Secret.thing", _tax_officer, "TAX_ADMINISTRATION") == ["DENY", "unclassified"]
}

test_public_field_allowed_to_everyone if {
	_effect("MarketProfile.name", _public, null) == ["ALLOW", "public"]
	_effect("MarketProfile.name", _auditor, null) == ["ALLOW", "public"]
	_effect("MarketProfile.name", _customs_officer, "CUSTOMS_SUPERVISION") == ["ALLOW", "public"]
}

test_public_principal_denied_everything_else if {
	_effect("TaxProfile.taxpayerType", _public, null) == ["DENY", "public_principal"]
	_effect("TaxProfile.arrears", _public, null) == ["DENY", "public_principal"]
}

test_auditor_sees_published_data_only if {
	_effect("TaxProfile.taxpayerType", _auditor, "AUDIT") == ["DENY", "audit_purpose"]
	_effect("LegalRepresentative.idNumber", _auditor, "AUDIT") == ["DENY", "audit_purpose"]
	_effect("MarketProfile.name", _auditor, "AUDIT") == ["ALLOW", "public"]
}

test_auditor_role_alone_is_no_government_role if {
	_effect("TaxProfile.taxpayerType", _auditor, "JOINT_PUNISHMENT") == ["DENY", "no_government_role"]
	_effect("LegalRepresentative.idNumber", _auditor, "JOINT_PUNISHMENT") == ["DENY", "no_government_role"]
}

test_auditing_officer_keeps_own_fields_for_other_purposes if {
	auditing_officer := {"public": false, "sub": "t2", "agency": "TAX", "roles": ["officer", "auditor"], "region": "110000"}
	_effect("TaxFiling.revenue", auditing_officer, "TAX_ADMINISTRATION") == ["ALLOW", "owner"]
	_effect("TaxProfile.arrears", auditing_officer, "JOINT_PUNISHMENT") == ["ALLOW", "owner"]
	_effect("LegalRepresentative.idNumber", auditing_officer, "JOINT_PUNISHMENT") == ["ALLOW", "conditional_purpose"]

	# Acting for AUDIT, the same caller uses the auditors' tools and sees published data only.
	_effect("Query.auditLog", auditing_officer, "AUDIT") == ["ALLOW", "auditor_tools"]
	_effect("TaxFiling.revenue", auditing_officer, "AUDIT") == ["DENY", "audit_purpose"]

	# And not the auditors' tools for any other purpose.
	_effect("Query.auditLog", auditing_officer, "TAX_ADMINISTRATION") == ["DENY", "auditor_tools_only"]
}

test_owner_sees_its_own_fields if {
	_effect("TaxFiling.revenue", _tax_officer, "TAX_ADMINISTRATION") == ["ALLOW", "owner"]
	_effect("TaxProfile.arrears", _tax_officer, "CREDIT_SUPERVISION") == ["ALLOW", "owner"]
	_decide("TaxFiling.revenue", _tax_officer, "TAX_ADMINISTRATION").reason == "the TAX administration owns this field"
}

test_caller_without_government_role_denied if {
	_effect("TaxProfile.taxpayerType", _no_role, "CUSTOMS_SUPERVISION") == ["DENY", "no_government_role"]
}

test_unconditional_allowed_to_government_bodies if {
	_effect("TaxProfile.taxpayerType", _customs_officer, "CUSTOMS_SUPERVISION") == ["ALLOW", "unconditional"]
	_effect("TaxProfile.taxpayerType", _procurement, "PUBLIC_PROCUREMENT") == ["ALLOW", "unconditional"]
}

test_unconditional_personal_masked if {
	d := _decide("Person.phone", _customs_officer, "CUSTOMS_SUPERVISION")
	d.effect == "MASK"
	d.mask == "PHONE"
	d.rule == "personal_minimised"
}

test_conditional_allowed_for_listed_purpose if {
	_effect("TaxProfile.arrears", _procurement, "PUBLIC_PROCUREMENT") == ["ALLOW", "conditional_purpose"]
	_decide("TaxProfile.arrears", _procurement, "PUBLIC_PROCUREMENT").reason == "shared for the declared purpose PUBLIC_PROCUREMENT (CONDITIONAL)"
}

test_conditional_with_mask_masked_for_other_purpose if {
	d := _decide("LegalRepresentative.idNumber", _customs_officer, "CUSTOMS_SUPERVISION")
	d.effect == "MASK"
	d.mask == "ID_NUMBER"
	d.rule == "conditional_masked"
	d.reason == "shared only for JOINT_PUNISHMENT, REGISTRATION_REVIEW; for CUSTOMS_SUPERVISION only a masked form is shared (CONDITIONAL)"
}

test_conditional_without_mask_denied_for_other_purpose if {
	_effect("TaxProfile.arrears", _customs_officer, "CUSTOMS_SUPERVISION") == ["DENY", "conditional_purpose_missing"]
	_decide("TaxProfile.arrears", _customs_officer, null).reason == "shared only for JOINT_PUNISHMENT, PUBLIC_PROCUREMENT; for no declared purpose not shared (CONDITIONAL)"
}

test_none_denied_to_other_agencies if {
	_effect("TaxFiling.revenue", _customs_officer, "TAX_ADMINISTRATION") == ["DENY", "not_shared"]
}

test_unknown_sharing_class_denied if {
	d := access.decisions["Odd.field"] with input as {"principal": _customs_officer, "purpose": "CUSTOMS_SUPERVISION", "coordinates": ["Odd.field"]}
		with data.meg.catalogue as {"Odd.field": {"owners": ["tax"], "sharing": "SOMETIMES", "personal": false, "mask": null, "purposes": []}}
	d.effect == "DENY"
	d.rule == "default_deny"
}

test_every_selected_coordinate_decided_once if {
	ds := access.decisions with input as {
		"principal": _customs_officer, "purpose": "CUSTOMS_SUPERVISION",
		"coordinates": ["MarketProfile.name", "TaxProfile.arrears", "TaxFiling.revenue"],
	}
		with data.meg.catalogue as _catalogue
	count(ds) == 3
	ds["MarketProfile.name"].effect == "ALLOW"
}

test_auditor_tools_need_the_role_and_the_audit_purpose if {
	_effect("Query.auditLog", _auditor, "AUDIT") == ["ALLOW", "auditor_tools"]
	_effect("Query.auditLog", _auditor, "JOINT_PUNISHMENT") == ["DENY", "auditor_tools_only"]
	_effect("Query.auditLog", _auditor, null) == ["DENY", "auditor_tools_only"]
	_effect("Query.auditLog", _tax_officer, "TAX_ADMINISTRATION") == ["DENY", "auditor_tools_only"]
	_effect("Query.auditLog", _tax_officer, "AUDIT") == ["DENY", "auditor_tools_only"]
	_effect("Query.auditLog", _public, null) == ["DENY", "public_principal"]
}

test_a_body_named_like_a_tool_subgraph_owns_nothing if {
	audit_office := {"public": false, "sub": "x", "agency": "AUDIT", "roles": ["officer"], "region": null}
	_effect("Query.auditLog", audit_office, "CREDIT_SUPERVISION") == ["DENY", "auditor_tools_only"]
}

test_joint_review_for_government_roles_only if {
	_review_effect(_procurement, "PUBLIC_PROCUREMENT") == ["ALLOW", "unconditional"]
	_review_effect(_auditor, "AUDIT") == ["DENY", "audit_purpose"]
	_review_effect(_auditor, "PUBLIC_PROCUREMENT") == ["DENY", "no_government_role"]
	_review_effect(_no_role, "CUSTOMS_SUPERVISION") == ["DENY", "no_government_role"]
	_review_effect(_public, null) == ["DENY", "public_principal"]
}

_review_effect(principal, purpose) := [d.effect, d.rule] if {
	review := {"Query.jointReview": {"owners": ["review"], "sharing": "UNCONDITIONAL", "personal": false, "mask": null, "purposes": []}}
	d := access.decisions["Query.jointReview"] with input as {"principal": principal, "purpose": purpose, "coordinates": ["Query.jointReview"]}
		with data.meg.catalogue as review
}

test_a_body_named_like_the_review_service_owns_nothing if {
	# The review service is no agency: a body named after it gets the review as any body would.
	viewer := {"public": false, "sub": "r", "agency": "REVIEW", "roles": ["viewer"], "region": null}
	_review_effect(viewer, "PUBLIC_PROCUREMENT") == ["DENY", "no_government_role"]
	officer := object.union(viewer, {"roles": ["officer"]})
	_review_effect(officer, "PUBLIC_PROCUREMENT") == ["ALLOW", "unconditional"]
}

test_unconditional_fields_are_masked_only_when_personal_and_masked if {
	catalogue := {
		"Odd.bandedAmount": {"owners": ["tax"], "sharing": "UNCONDITIONAL", "personal": false, "mask": "AMOUNT_BAND", "purposes": []},
		"Odd.personalUnmasked": {"owners": ["tax"], "sharing": "UNCONDITIONAL", "personal": true, "mask": null, "purposes": []},
	}
	ds := access.decisions with input as {"principal": _customs_officer, "purpose": "CUSTOMS_SUPERVISION", "coordinates": ["Odd.bandedAmount", "Odd.personalUnmasked"]}
		with data.meg.catalogue as catalogue
	[ds["Odd.bandedAmount"].effect, ds["Odd.bandedAmount"].rule] == ["ALLOW", "unconditional"]
	[ds["Odd.personalUnmasked"].effect, ds["Odd.personalUnmasked"].rule] == ["ALLOW", "unconditional"]
}

test_a_conditional_field_listing_audit_goes_to_auditors_acting_for_it if {
	_effect("PublicationCompliance.market", _auditor, "AUDIT") == ["ALLOW", "audit_conditional"]
	_effect("PublicationCompliance.market", _auditor, "CREDIT_SUPERVISION") == ["DENY", "no_government_role"]
	_effect("PublicationCompliance.market", _tax_officer, "AUDIT") == ["DENY", "audit_purpose"]
	_effect("PublicationCompliance.market", _tax_officer, "CREDIT_SUPERVISION") == ["ALLOW", "conditional_purpose"]
	_effect("PublicationCompliance.market", _public, null) == ["DENY", "public_principal"]

	# Fields that do not list AUDIT stay out of the auditors' reach.
	_effect("TaxProfile.arrears", _auditor, "AUDIT") == ["DENY", "audit_purpose"]
}

_views(principal, purpose) := views if {
	views := access.record_views with input as {"principal": principal, "purpose": purpose}
}

test_the_public_and_auditors_see_the_public_record if {
	_views(_public, null) == {"market": "PUBLIC", "tax": "PUBLIC", "social": "PUBLIC", "customs": "PUBLIC"}
	_views(_auditor, "AUDIT") == {"market": "PUBLIC", "tax": "PUBLIC", "social": "PUBLIC", "customs": "PUBLIC"}
	_views(_no_role, "CUSTOMS_SUPERVISION").market == "PUBLIC"

	# Acting for AUDIT, even an agency's own officer sees the public record of its own agency.
	_views(object.union(_tax_officer, {"roles": ["officer", "auditor"]}), "AUDIT").tax == "PUBLIC"
}

test_an_owner_sees_its_own_history_whatever_its_purpose if {
	views := _views(_tax_officer, "JOINT_PUNISHMENT")
	views.tax == "HISTORY"
	views.market == "CURRENT"
}

test_approvals_see_what_is_in_force_and_supervision_the_history if {
	_views(_procurement, "PUBLIC_PROCUREMENT") == {"market": "CURRENT", "tax": "CURRENT", "social": "CURRENT", "customs": "CURRENT"}
	_views(_procurement, "JOINT_INCENTIVE").market == "CURRENT"
	_views(_customs_officer, "CREDIT_SUPERVISION") == {"market": "HISTORY", "tax": "HISTORY", "social": "HISTORY", "customs": "HISTORY"}
	_views(_tax_officer, "REGISTRATION_REVIEW").market == "HISTORY"
}
