-- The tax administration's records: taxpayer registration, yearly credit ratings, arrears,
-- the major tax-violation list and periodic filings.

CREATE TABLE tax_taxpayers (
  uscc           text PRIMARY KEY,
  taxpayer_type  text NOT NULL,
  registered_on  date NOT NULL,
  tax_authority  text NOT NULL
);

CREATE TABLE tax_credit_ratings (
  uscc          text NOT NULL,
  year          integer NOT NULL,
  rating        char(1) NOT NULL CHECK (rating IN ('A', 'B', 'M', 'C', 'D')),
  evaluated_on  date NOT NULL,
  PRIMARY KEY (uscc, year)
);

CREATE TABLE tax_arrears (
  uscc        text NOT NULL,
  tax_type    text NOT NULL,
  amount      numeric(18, 2) NOT NULL,
  since       date NOT NULL,
  settled_on  date,
  PRIMARY KEY (uscc, tax_type, since)
);

CREATE TABLE tax_major_violations (
  case_no     text PRIMARY KEY,
  uscc        text NOT NULL,
  nature      text NOT NULL,
  amount      numeric(18, 2) NOT NULL,
  listed_on   date NOT NULL,
  removed_on  date
);
CREATE INDEX tax_major_violations_uscc ON tax_major_violations (uscc);

CREATE TABLE tax_filings (
  uscc      text NOT NULL,
  period    text NOT NULL,
  filed_on  date NOT NULL,
  revenue   numeric(18, 2) NOT NULL,
  tax_paid  numeric(18, 2) NOT NULL,
  PRIMARY KEY (uscc, period)
);
