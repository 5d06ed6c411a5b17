{{- /* OpenID Connect provider: clients, authorization requests and codes, tokens, signing keys, consents. */ -}}
{{- $id := "text" }}{{ $ts := "timestamp" }}{{ $bytes := "blob" }}
{{- if .PG }}{{ $id = "uuid" }}{{ $ts = "timestamptz" }}{{ $bytes = "bytea" }}{{ end -}}
CREATE TABLE oidc_clients (
  id text PRIMARY KEY,
  name text NOT NULL,
  secret_hash {{ $bytes }},
  public boolean NOT NULL DEFAULT false,
  first_party boolean NOT NULL DEFAULT false,
  may_ask_businesses boolean NOT NULL DEFAULT false,
  redirect_uris text NOT NULL DEFAULT '',
  post_logout_uris text NOT NULL DEFAULT '',
  scopes text NOT NULL DEFAULT '',
  created_at {{ $ts }} NOT NULL
);
--bun:split
CREATE TABLE oidc_auth_requests (
  id {{ $id }} PRIMARY KEY,
  client_id text NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
  redirect_uri text NOT NULL,
  state text NOT NULL DEFAULT '',
  nonce text NOT NULL DEFAULT '',
  scopes text NOT NULL DEFAULT '',
  response_type text NOT NULL,
  response_mode text NOT NULL DEFAULT '',
  prompt text NOT NULL DEFAULT '',
  max_age integer,
  code_challenge text NOT NULL DEFAULT '',
  code_challenge_method text NOT NULL DEFAULT '',
  user_id {{ $id }} REFERENCES users (id) ON DELETE CASCADE,
  session_id {{ $id }},
  auth_time {{ $ts }},
  amr text NOT NULL DEFAULT '',
  done boolean NOT NULL DEFAULT false,
  code_hash {{ $bytes }},
  code_expires_at {{ $ts }},
  code_used_at {{ $ts }},
  created_at {{ $ts }} NOT NULL,
  expires_at {{ $ts }} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX oidc_auth_requests_code_key ON oidc_auth_requests (code_hash);
--bun:split
CREATE INDEX oidc_auth_requests_expires_idx ON oidc_auth_requests (expires_at);
--bun:split
CREATE TABLE oidc_tokens (
  id {{ $id }} PRIMARY KEY,
  kind text NOT NULL,
  refresh_hash {{ $bytes }},
  client_id text NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
  user_id {{ $id }} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  session_id {{ $id }},
  auth_request_id {{ $id }},
  scopes text NOT NULL DEFAULT '',
  amr text NOT NULL DEFAULT '',
  auth_time {{ $ts }} NOT NULL,
  created_at {{ $ts }} NOT NULL,
  expires_at {{ $ts }} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX oidc_tokens_refresh_key ON oidc_tokens (refresh_hash);
--bun:split
CREATE INDEX oidc_tokens_session_idx ON oidc_tokens (session_id);
--bun:split
CREATE INDEX oidc_tokens_auth_request_idx ON oidc_tokens (auth_request_id);
--bun:split
CREATE INDEX oidc_tokens_expires_idx ON oidc_tokens (expires_at);
--bun:split
CREATE TABLE oidc_keys (
  id text PRIMARY KEY,
  alg text NOT NULL,
  sealed_key text NOT NULL,
  created_at {{ $ts }} NOT NULL,
  retired_at {{ $ts }},
  remove_after {{ $ts }}
);
--bun:split
CREATE TABLE oidc_consents (
  user_id {{ $id }} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id text NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
  scopes text NOT NULL DEFAULT '',
  created_at {{ $ts }} NOT NULL,
  PRIMARY KEY (user_id, client_id)
);
--bun:split
CREATE TABLE oidc_session_auth (
  session_id {{ $id }} PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  method text NOT NULL,
  created_at {{ $ts }} NOT NULL
);
