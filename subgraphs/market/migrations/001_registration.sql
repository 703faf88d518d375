-- Market regulation's registry: one row per registered enterprise, with its legal
-- representative (a registration has exactly one), and the lists it publishes.

CREATE TABLE market_registrations (
  uscc                 text PRIMARY KEY,
  name                 text NOT NULL,
  entity_type          text NOT NULL,
  status               text NOT NULL,
  established_on       date NOT NULL,
  registered_capital   numeric(18, 2) NOT NULL,
  region_code          text NOT NULL,
  industry_code        text NOT NULL,
  address              text NOT NULL,
  business_scope       text NOT NULL,
  legal_rep_name       text NOT NULL,
  legal_rep_id_number  text NOT NULL,
  legal_rep_phone      text NOT NULL
);
-- Prefix searches by province/city and industry section use these.
CREATE INDEX market_registrations_region ON market_registrations (region_code text_pattern_ops, uscc);
CREATE INDEX market_registrations_industry ON market_registrations (industry_code text_pattern_ops, uscc);

CREATE TABLE market_licences (
  licence_no   text PRIMARY KEY,
  uscc         text NOT NULL,
  title        text NOT NULL,
  authority    text NOT NULL,
  granted_on   date NOT NULL,
  valid_until  date
);
CREATE INDEX market_licences_uscc ON market_licences (uscc);

CREATE TABLE market_penalties (
  decision_no   text PRIMARY KEY,
  uscc          text NOT NULL,
  decided_on    date NOT NULL,
  published_on  date NOT NULL,
  authority     text NOT NULL,
  basis         text NOT NULL,
  amount        numeric(18, 2) NOT NULL
);
CREATE INDEX market_penalties_uscc ON market_penalties (uscc);

CREATE TABLE market_abnormal_operations (
  uscc        text NOT NULL,
  reason      text NOT NULL,
  listed_on   date NOT NULL,
  authority   text NOT NULL,
  removed_on  date,
  PRIMARY KEY (uscc, listed_on, reason)
);

CREATE TABLE market_serious_violations (
  decision_no  text PRIMARY KEY,
  uscc         text NOT NULL,
  reason       text NOT NULL,
  listed_on    date NOT NULL,
  authority    text NOT NULL,
  removed_on   date
);
CREATE INDEX market_serious_violations_uscc ON market_serious_violations (uscc);

CREATE TABLE market_annual_reports (
  uscc            text NOT NULL,
  year            integer NOT NULL,
  filed_on        date NOT NULL,
  employee_count  integer NOT NULL,
  total_assets    numeric(18, 2) NOT NULL,
  PRIMARY KEY (uscc, year)
);

CREATE TABLE market_credit_commitments (
  uscc          text NOT NULL,
  matter        text NOT NULL,
  committed_on  date NOT NULL,
  fulfilled     boolean NOT NULL,
  PRIMARY KEY (uscc, committed_on, matter)
);
