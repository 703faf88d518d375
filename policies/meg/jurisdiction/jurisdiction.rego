# METADATA
# title: Jurisdiction
# description: |
#   Where a government body may act: a national body everywhere, a provincial, city or county body
#   within its own area. Regions are GB/T 2260 codes of six digits; an enterprise's registering
#   region is positions 3 to 8 of its unified social credit code (GB 32100-2015).
package meg.jurisdiction

# The region a national body's token carries: the code conventionally given to the country as a whole.
national := "100000"

# METADATA
# description: |
#   The prefix every region code within `region`'s area begins with: nothing for the country,
#   the first two digits for a province (110000), four for a city (110100), all six for a county.
area_prefix(region) := "" if {
	region == national
} else := substring(region, 0, 2) if {
	endswith(region, "0000")
} else := substring(region, 0, 4) if {
	endswith(region, "00")
} else := region

# METADATA
# description: The registering region of the enterprise with unified social credit code `uscc`.
registering_region(uscc) := substring(uscc, 2, 6)

# METADATA
# description: Whether an enterprise registered in `enterprise_region` is within `region`'s area.
within(region, enterprise_region) if {
	regex.match(`^[0-9]{6}$`, region)
	regex.match(`^[0-9]{6}$`, enterprise_region)
	startswith(enterprise_region, area_prefix(region))
}
