/** The service's tables (schema `infra`). Idempotent: run at every start, under an advisory lock. */
export const SCHEMA = "infra";

export const MIGRATION_SQL = `
CREATE SCHEMA IF NOT EXISTS infra;

CREATE TABLE IF NOT EXISTS infra.incidents (
  id text PRIMARY KEY,
  region text NOT NULL,
  scenario text NOT NULL,
  status text NOT NULL,
  title text,
  opened_by text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  runs integer NOT NULL DEFAULT 0,
  figures jsonb,
  decision_request jsonb,
  result text
);
-- One open incident per region: an alert for the region joins it (race-safe).
CREATE UNIQUE INDEX IF NOT EXISTS incidents_open_region ON infra.incidents (region) WHERE closed_at IS NULL;

-- Every webhook delivery as it came (what, when, how many alerts), before it is interpreted.
CREATE TABLE IF NOT EXISTS infra.notifications (
  id bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  sender text NOT NULL,
  group_key text NOT NULL,
  status text NOT NULL,
  receiver text NOT NULL,
  alert_count integer NOT NULL,
  truncated_alerts integer NOT NULL DEFAULT 0
);

-- One row per alert (fingerprint + startsAt): a repeat delivery changes nothing.
CREATE TABLE IF NOT EXISTS infra.alerts (
  fingerprint text NOT NULL,
  starts_at text NOT NULL,
  status text NOT NULL,
  ends_at text,
  labels jsonb NOT NULL,
  annotations jsonb NOT NULL,
  region text,
  asset text,
  asset_known boolean NOT NULL DEFAULT false,
  incident_id text REFERENCES infra.incidents(id),
  received_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  reconciled text,
  first_notification bigint,
  PRIMARY KEY (fingerprint, starts_at)
);
CREATE INDEX IF NOT EXISTS alerts_incident ON infra.alerts (incident_id);

CREATE TABLE IF NOT EXISTS infra.decisions (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES infra.incidents(id),
  decision jsonb NOT NULL,
  actor text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz
);

CREATE TABLE IF NOT EXISTS infra.audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  role text NOT NULL,
  action text NOT NULL,
  incident_id text,
  detail jsonb NOT NULL DEFAULT '{}'
);

-- The outbox: one row per deterministic dispatch id (unique in its region's world), written once, delivered once.
CREATE TABLE IF NOT EXISTS infra.dispatches (
  dispatch_id text NOT NULL,
  incident_id text NOT NULL REFERENCES infra.incidents(id),
  region text NOT NULL,
  crew_id text NOT NULL,
  asset_id text NOT NULL,
  at_minute double precision NOT NULL,
  entry jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  delivered_by text,
  delivery_attempts integer NOT NULL DEFAULT 0,
  PRIMARY KEY (region, dispatch_id)
);
-- The order dispatches were written in: a crew's queue is replayed in this order (ids are hashes).
ALTER TABLE infra.dispatches ADD COLUMN IF NOT EXISTS seq bigserial;
CREATE INDEX IF NOT EXISTS dispatches_undelivered ON infra.dispatches (created_at) WHERE delivered_at IS NULL;
CREATE INDEX IF NOT EXISTS dispatches_region ON infra.dispatches (region);

CREATE TABLE IF NOT EXISTS infra.events (
  seq bigserial PRIMARY KEY,
  incident_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS events_incident ON infra.events (incident_id, seq);

-- Each incident's ETR board (src/planning/etr.ts: every outage area's ETRs with their reasons), written when a
-- planning round, a crew's progress, a repair or new damage changes it, so that a restarted service or another instance publishes the same ETRs.
-- version: optimistic concurrency between instances; dispatches, progress, world_minute: the world it was computed on.
CREATE TABLE IF NOT EXISTS infra.etr_boards (
  incident_id text PRIMARY KEY REFERENCES infra.incidents(id),
  version integer NOT NULL,
  dispatches integer NOT NULL,
  progress jsonb NOT NULL,
  world_minute double precision NOT NULL,
  board jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Each region's world clock: minute = (now - epoch) * speed / 60000, or a fixed minute (manual clock).
CREATE TABLE IF NOT EXISTS infra.world_clock (
  region text PRIMARY KEY,
  epoch_ms double precision NOT NULL,
  speed double precision NOT NULL,
  manual_minutes double precision
);
`;
