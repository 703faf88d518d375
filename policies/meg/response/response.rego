# METADATA
# title: The linked response (跨部门联动响应)
# description: |
#   Which agency responds to which credit event, with which joint measure (联合惩戒措施) and on
#   which legal basis, and which events lift the measures an entry caused. Each responding
#   agency's subgraph asks this for every event it consumes (subgraphs/runtime/responder.ts) and
#   records what it is told in its own database.
package meg.response

# The memoranda of understanding on joint punishment the measures below rest on.
_serious_violation_memo := "《失信企业协同监管和联合惩戒合作备忘录》（发改财金〔2015〕2045号）"

_major_tax_violation_memo := "《关于对重大税收违法案件当事人实施联合惩戒措施的合作备忘录》（发改财金〔2014〕3062号）"

_customs_dishonest_memo := "《关于对海关失信企业实施联合惩戒的合作备忘录》（发改财金〔2017〕427号）"

# METADATA
# description: |
#   The measures: the event that imposes each (its agency, kind and, where it matters, the level
#   its entry now has), the agency that responds, the measure, what it means and its legal basis.
measures := [
	{
		"on": {"agency": "market", "kind": "serious_violation_listed"},
		"responder": "tax",
		"measure": "TAX_KEY_SUPERVISION",
		"description": "列为税收重点监控对象，提高纳税评估和税务检查频次",
		"basis": _serious_violation_memo,
	},
	{
		"on": {"agency": "market", "kind": "serious_violation_listed"},
		"responder": "customs",
		"measure": "CUSTOMS_CERTIFICATION_REFUSED",
		"description": "不予适用海关认证企业管理，加强进出口货物查验",
		"basis": _serious_violation_memo,
	},
	{
		"on": {"agency": "market", "kind": "serious_violation_listed"},
		"responder": "social",
		"measure": "SOCIAL_SUBSIDY_RESTRICTED",
		"description": "限制申请稳岗返还等社会保险补贴",
		"basis": _serious_violation_memo,
	},
	{
		"on": {"agency": "tax", "kind": "major_tax_violation_listed"},
		"responder": "market",
		"measure": "LEGAL_REPRESENTATIVE_RESTRICTED",
		"description": "限制其法定代表人担任其他企业的法定代表人、董事、监事、高级管理人员",
		"basis": _major_tax_violation_memo,
	},
	{
		"on": {"agency": "tax", "kind": "major_tax_violation_listed"},
		"responder": "customs",
		"measure": "CUSTOMS_INSPECTION_INTENSIFIED",
		"description": "对其进出口货物加强查验",
		"basis": _major_tax_violation_memo,
	},
	{
		"on": {"agency": "customs", "kind": "customs_credit_level_set", "creditLevel": "DISHONEST"},
		"responder": "tax",
		"measure": "TAX_KEY_SUPERVISION",
		"description": "列为税收重点监控对象，提高纳税评估和税务检查频次",
		"basis": _customs_dishonest_memo,
	},
	{
		"on": {"agency": "customs", "kind": "customs_credit_level_set", "creditLevel": "DISHONEST"},
		"responder": "market",
		"measure": "KEY_SUPERVISION",
		"description": "列为重点监管对象，提高双随机抽查比例和频次",
		"basis": _customs_dishonest_memo,
	},
]

# METADATA
# description: |
#   The events that lift every measure their entry caused: a removal from the list, and a customs
#   credit level set to anything but dishonest.
lifts := [
	{"agency": "market", "kind": "serious_violation_removed"},
	{"agency": "tax", "kind": "major_tax_violation_removed"},
	{"agency": "customs", "kind": "customs_credit_level_set", "unlessCreditLevel": "DISHONEST"},
]

# METADATA
# description: |
#   What input.responder does about input.event: the measures it imposes, and whether the event
#   lifts the measures the event's entry caused.
# entrypoint: true
response := {"impose": impose, "lift": lift}

# METADATA
# description: The measures input.responder imposes for input.event.
impose := [{"measure": m.measure, "description": m.description, "basis": m.basis} |
	some m in measures
	m.responder == input.responder
	_triggers(m.on, input.event)
]

# METADATA
# description: Whether input.event lifts the measures its entry caused.
default lift := false

lift if {
	some l in lifts
	l.agency == input.event.agency
	l.kind == input.event.kind
	not _kept(l, input.event)
}

_triggers(on, event) if {
	on.agency == event.agency
	on.kind == event.kind
	object.get(on, "creditLevel", null) == null
}

_triggers(on, event) if {
	on.agency == event.agency
	on.kind == event.kind
	on.creditLevel == event.data.entry.credit_level
}

# A level-setting event that sets the level the measures are for lifts nothing.
_kept(l, event) if l.unlessCreditLevel == event.data.entry.credit_level

# METADATA
# description: |
#   The subjects of the events that concern input.responder: those that impose one of its
#   measures, and those that lift measures of the agencies whose events it answers.
# entrypoint: true
subjects := {sprintf("meg.credit.%s.%s", [m.on.agency, m.on.kind]) | some m in measures; m.responder == input.responder} | {sprintf("meg.credit.%s.%s", [l.agency, l.kind]) |
	some l in lifts
	some m in measures
	m.responder == input.responder
	m.on.agency == l.agency
}
