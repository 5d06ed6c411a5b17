{{- /* Self-service flows and the failure counters of regulation. */ -}}
{{- $id := "text" }}{{ $ts := "timestamp" }}{{ $bytes := "blob" }}{{ $serial := "integer PRIMARY KEY AUTOINCREMENT" }}
{{- if .PG }}{{ $id = "uuid" }}{{ $ts = "timestamptz" }}{{ $bytes = "bytea" }}{{ $serial = "bigserial PRIMARY KEY" }}{{ end -}}
CREATE TABLE flows (
  id {{ $id }} PRIMARY KEY,
  secret_hash {{ $bytes }} NOT NULL,
  kind text NOT NULL,
  state text NOT NULL,
  user_id {{ $id }} REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL DEFAULT '',
  data text NOT NULL DEFAULT '{}',
  attempts integer NOT NULL DEFAULT 0,
  created_at {{ $ts }} NOT NULL,
  expires_at {{ $ts }} NOT NULL,
  done_at {{ $ts }}
);
--bun:split
CREATE UNIQUE INDEX flows_secret_hash_key ON flows (secret_hash);
--bun:split
CREATE INDEX flows_expires_idx ON flows (expires_at);
--bun:split
CREATE TABLE failures (
  id {{ $serial }},
  scope text NOT NULL,
  key text NOT NULL,
  at {{ $ts }} NOT NULL
);
--bun:split
CREATE INDEX failures_scope_key_at_idx ON failures (scope, key, at);
--bun:split
CREATE INDEX sessions_last_seen_idx ON sessions (last_seen_at);
