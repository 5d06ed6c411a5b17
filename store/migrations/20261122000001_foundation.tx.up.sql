{{- /* One migration for both databases; .PG selects the PostgreSQL types. */ -}}
{{- $id := "text" }}{{ $ts := "timestamp" }}{{ $bytes := "blob" }}{{ $serial := "integer PRIMARY KEY AUTOINCREMENT" }}
{{- if .PG }}{{ $id = "uuid" }}{{ $ts = "timestamptz" }}{{ $bytes = "bytea" }}{{ $serial = "bigserial PRIMARY KEY" }}{{ end -}}
CREATE TABLE users (
  id {{ $id }} PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL DEFAULT '',
  password_hash text,
  legacy boolean NOT NULL DEFAULT false,
  lang text NOT NULL DEFAULT '',
  email_verified_at {{ $ts }},
  created_at {{ $ts }} NOT NULL,
  updated_at {{ $ts }} NOT NULL,
  last_login_at {{ $ts }}
);
--bun:split
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
--bun:split
CREATE TABLE sessions (
  id {{ $id }} PRIMARY KEY,
  token_hash {{ $bytes }} NOT NULL,
  user_id {{ $id }} REFERENCES users (id) ON DELETE CASCADE,
  state text NOT NULL DEFAULT '',
  data text NOT NULL DEFAULT '{}',
  ip text NOT NULL DEFAULT '',
  user_agent text NOT NULL DEFAULT '',
  created_at {{ $ts }} NOT NULL,
  last_seen_at {{ $ts }} NOT NULL,
  authenticated_at {{ $ts }},
  expires_at {{ $ts }} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
--bun:split
CREATE INDEX sessions_user_idx ON sessions (user_id);
--bun:split
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
--bun:split
CREATE TABLE tokens (
  id {{ $id }} PRIMARY KEY,
  kind text NOT NULL,
  token_hash {{ $bytes }} NOT NULL,
  user_id {{ $id }} REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL DEFAULT '',
  created_at {{ $ts }} NOT NULL,
  expires_at {{ $ts }} NOT NULL,
  used_at {{ $ts }}
);
--bun:split
CREATE UNIQUE INDEX tokens_token_hash_key ON tokens (token_hash);
--bun:split
CREATE INDEX tokens_user_kind_idx ON tokens (user_id, kind);
--bun:split
CREATE INDEX tokens_email_kind_idx ON tokens (lower(email), kind);
--bun:split
CREATE TABLE mail_outbox (
  id {{ $id }} PRIMARY KEY,
  to_addr text NOT NULL,
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text NOT NULL,
  created_at {{ $ts }} NOT NULL,
  next_attempt_at {{ $ts }} NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  last_error text NOT NULL DEFAULT '',
  locked_by text NOT NULL DEFAULT '',
  locked_until {{ $ts }},
  sent_at {{ $ts }}
);
--bun:split
CREATE INDEX mail_outbox_due_idx ON mail_outbox (sent_at, next_attempt_at);
--bun:split
CREATE TABLE audit_events (
  id {{ $serial }},
  at {{ $ts }} NOT NULL,
  event text NOT NULL,
  user_id {{ $id }},
  email text NOT NULL DEFAULT '',
  ip text NOT NULL DEFAULT '',
  detail text NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX audit_events_at_idx ON audit_events (at);
--bun:split
CREATE INDEX audit_events_user_idx ON audit_events (user_id);
--bun:split
CREATE TABLE kv (
  k text PRIMARY KEY,
  v {{ $bytes }} NOT NULL,
  exp bigint NOT NULL DEFAULT 0
);
--bun:split
CREATE INDEX kv_exp_idx ON kv (exp);
