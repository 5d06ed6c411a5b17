{{- /* Table kv held fiber.Storage entries (CSRF tokens, then limiter counters);
  every limit now counts in throttles and CSRF needs no storage, so it goes. */ -}}
DROP INDEX IF EXISTS kv_exp_idx;
--bun:split
DROP TABLE IF EXISTS kv;
