{{- /* Businesses (Betriebe), their links to accounts, PIN requests, PIN flows,
       accounts exempt from the retention purge, and the browser in the audit log. */ -}}
{{- $id := "text" }}{{ $ts := "timestamp" }}
{{- if .PG }}{{ $id = "uuid" }}{{ $ts = "timestamptz" }}{{ end -}}
CREATE TABLE companies (
  id {{ $id }} PRIMARY KEY,
  number text NOT NULL,
  name text NOT NULL,
  street text NOT NULL,
  postcode text NOT NULL,
  city text NOT NULL,
  created_at {{ $ts }} NOT NULL,
  updated_at {{ $ts }} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX companies_number_key ON companies (number);
--bun:split
CREATE TABLE company_links (
  user_id {{ $id }} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  company_id {{ $id }} NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  created_at {{ $ts }} NOT NULL,
  PRIMARY KEY (user_id, company_id)
);
--bun:split
CREATE INDEX company_links_company_idx ON company_links (company_id);
--bun:split
CREATE TABLE pin_requests (
  id {{ $id }} PRIMARY KEY,
  user_id {{ $id }} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  company_id {{ $id }} NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  created_at {{ $ts }} NOT NULL,
  answered_at {{ $ts }}
);
--bun:split
CREATE INDEX pin_requests_user_idx ON pin_requests (user_id);
--bun:split
CREATE INDEX pin_requests_company_idx ON pin_requests (company_id, answered_at);
--bun:split
ALTER TABLE flows ADD COLUMN company_id {{ $id }} REFERENCES companies (id) ON DELETE CASCADE;
--bun:split
CREATE INDEX flows_company_idx ON flows (company_id, kind);
--bun:split
CREATE TABLE retention_exempt (
  user_id {{ $id }} PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  created_at {{ $ts }} NOT NULL
);
--bun:split
ALTER TABLE audit_events ADD COLUMN user_agent text NOT NULL DEFAULT '';
