{{- /* Protection: counters of the rate limits and the regulation of failed
  attempts in their own table (increment and decide in one statement); the
  CSRF tokens and limiter counters in kv are obsolete (CSRF needs no storage);
  a mail's body is erased when the link or code it carries expires. */ -}}
{{- $ts := "timestamp" }}{{ if .PG }}{{ $ts = "timestamptz" }}{{ end -}}
CREATE TABLE throttles (
  scope text NOT NULL,
  k text NOT NULL,
  n integer NOT NULL,
  window_end bigint NOT NULL,
  blocked_until bigint NOT NULL,
  allowed boolean NOT NULL,
  PRIMARY KEY (scope, k)
);
--bun:split
CREATE INDEX throttles_window_end_idx ON throttles (window_end);
--bun:split
DELETE FROM kv;
--bun:split
ALTER TABLE mail_outbox ADD COLUMN secret_expires_at {{ $ts }};
--bun:split
UPDATE mail_outbox SET text_body = '', html_body = '' WHERE sent_at IS NULL AND next_attempt_at >= '9999-01-01';
