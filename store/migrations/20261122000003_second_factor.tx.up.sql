{{- /* Second factors: TOTP, e-mail code and passkeys per user, and recovery codes. */ -}}
{{- $id := "text" }}{{ $ts := "timestamp" }}{{ $bytes := "blob" }}
{{- if .PG }}{{ $id = "uuid" }}{{ $ts = "timestamptz" }}{{ $bytes = "bytea" }}{{ end -}}
CREATE TABLE mfa_methods (
  id {{ $id }} PRIMARY KEY,
  user_id {{ $id }} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL,
  name text NOT NULL DEFAULT '',
  secret text NOT NULL DEFAULT '',
  totp_last_step bigint NOT NULL DEFAULT 0,
  credential_id {{ $bytes }},
  credential text NOT NULL DEFAULT '',
  created_at {{ $ts }} NOT NULL,
  last_used_at {{ $ts }}
);
--bun:split
CREATE INDEX mfa_methods_user_idx ON mfa_methods (user_id);
--bun:split
CREATE UNIQUE INDEX mfa_methods_credential_key ON mfa_methods (credential_id);
--bun:split
CREATE TABLE recovery_codes (
  id {{ $id }} PRIMARY KEY,
  user_id {{ $id }} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash {{ $bytes }} NOT NULL,
  created_at {{ $ts }} NOT NULL,
  used_at {{ $ts }}
);
--bun:split
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id);
--bun:split
ALTER TABLE users ADD COLUMN webauthn_handle {{ $bytes }};
--bun:split
CREATE UNIQUE INDEX users_webauthn_handle_key ON users (webauthn_handle);
--bun:split
ALTER TABLE sessions ADD COLUMN mfa_at {{ $ts }};
