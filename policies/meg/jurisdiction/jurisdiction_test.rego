package meg.jurisdiction_test

import data.meg.jurisdiction

test_national_body_everywhere if {
	jurisdiction.within("100000", "110105")
	jurisdiction.within("100000", "650102")
}

test_province_covers_its_cities_and_counties if {
	jurisdiction.within("110000", "110105")
	jurisdiction.within("110000", "110000")
	not jurisdiction.within("110000", "120101")
	not jurisdiction.within("310000", "110105")
}

test_city_covers_its_counties_only if {
	jurisdiction.within("440300", "440305")
	not jurisdiction.within("440300", "440105")
}

test_county_covers_itself_only if {
	jurisdiction.within("110105", "110105")
	not jurisdiction.within("110105", "110106")
}

test_malformed_regions_cover_nothing if {
	not jurisdiction.within("11", "110105")
	not jurisdiction.within("", "110105")
	not jurisdiction.within("110000", "11010X")
}

test_registering_region_is_positions_3_to_8 if {
	jurisdiction.registering_region("91110105MA01ABCD1X") == "110105"
}
