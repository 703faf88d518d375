-- Social security's records: employer registration, monthly insured headcount,
-- contribution arrears and insured employees (personal information).

CREATE TABLE social_employers (
  uscc           text PRIMARY KEY,
  employer_no    text NOT NULL,
  registered_on  date NOT NULL
);

CREATE TABLE social_headcounts (
  uscc     text NOT NULL,
  month    text NOT NULL,
  insured  integer NOT NULL,
  PRIMARY KEY (uscc, month)
);

CREATE TABLE social_arrears (
  uscc            text NOT NULL,
  insurance_type  text NOT NULL,
  amount          numeric(18, 2) NOT NULL,
  months          integer NOT NULL,
  since           date NOT NULL,
  settled_on      date,
  PRIMARY KEY (uscc, insurance_type, since)
);

CREATE TABLE social_employees (
  uscc           text NOT NULL,
  id_number      text NOT NULL,
  name           text NOT NULL,
  insured_since  date NOT NULL,
  PRIMARY KEY (uscc, name, id_number)
);
