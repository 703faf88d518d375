-- The access log: one record per request, hash-chained per writer (each gateway replica has its
-- own chain), append-only. The canonical record text is what the hash covers; the other columns
-- repeat parts of it for searching, and verification checks that they agree with it.

CREATE TABLE audit_records (
  chain_id          text NOT NULL,
  seq               bigint NOT NULL,
  at                timestamptz NOT NULL,
  request_id        text NOT NULL,
  channel           text NOT NULL,
  principal_sub     text,
  principal_agency  text,
  purpose           text,
  outcome           text NOT NULL,
  enterprises       text[] NOT NULL,
  coordinates       text[] NOT NULL,
  effects           text[] NOT NULL,
  record            text NOT NULL,
  prev_hash         text NOT NULL,
  hash              text NOT NULL,
  PRIMARY KEY (chain_id, seq)
);
CREATE INDEX audit_records_at ON audit_records (at);
CREATE INDEX audit_records_request ON audit_records (request_id);
CREATE INDEX audit_records_enterprises ON audit_records USING gin (enterprises);
CREATE INDEX audit_records_coordinates ON audit_records USING gin (coordinates);
CREATE INDEX audit_records_principal ON audit_records (principal_sub, at);

-- Nothing is ever changed or removed through the database's front door.
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$;
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_records FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
