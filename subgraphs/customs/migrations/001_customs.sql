-- Customs records: registration and credit level, declarations and violations.

CREATE TABLE customs_registrations (
  uscc                text PRIMARY KEY,
  customs_code        text NOT NULL,
  registered_on       date NOT NULL,
  credit_level        text NOT NULL,
  credit_level_since  date NOT NULL
);

CREATE TABLE customs_declarations (
  entry_no     text PRIMARY KEY,
  uscc         text NOT NULL,
  declared_on  date NOT NULL,
  direction    text NOT NULL,
  hs_code      text NOT NULL,
  value        numeric(18, 2) NOT NULL,
  trade_mode   text NOT NULL,
  port         text NOT NULL
);
-- Newest-first pages of one enterprise's declarations.
CREATE INDEX customs_declarations_uscc ON customs_declarations (uscc, declared_on DESC, entry_no DESC);

CREATE TABLE customs_violations (
  decision_no     text PRIMARY KEY,
  uscc            text NOT NULL,
  decided_on      date NOT NULL,
  nature          text NOT NULL,
  penalty_amount  numeric(18, 2) NOT NULL
);
CREATE INDEX customs_violations_uscc ON customs_violations (uscc);
