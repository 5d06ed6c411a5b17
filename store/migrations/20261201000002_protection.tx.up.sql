{{- /* Protection: counters of the rate limits and the regulation of failed
  attempts in their own table (increment and decide in one statement); the
  CSRF tokens and limiter counters in kv are obsolete (CSRF needs no storage). */ -}}
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
