-- Each writer's last proof that the store takes writes: /readyz commits a row here (at most once
-- a second), so "ready" means the access log can be written, not merely that its database answers.
-- Not part of any chain, and nothing but the heartbeat of its own chain is ever written to it.

CREATE TABLE audit_heartbeats (
  chain_id  text PRIMARY KEY,
  at        timestamptz NOT NULL
);
