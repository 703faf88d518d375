-- The record text (about 4 KB with its decisions) is compressed on every insert. pglz, the
-- default, cost about 0.065 ms of the database's CPU per record; lz4 compresses it in a fraction
-- of that. Servers built without lz4 (PGlite) keep pglz. Existing rows keep how they were stored.
DO $$ BEGIN ALTER TABLE audit_records ALTER COLUMN record SET COMPRESSION lz4; EXCEPTION WHEN feature_not_supported THEN NULL; END $$;
