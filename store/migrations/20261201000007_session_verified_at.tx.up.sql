{{- /* One freshness time per session: the last password confirmation or second factor (it was a column for the second factor and a JSON field for the password). */ -}}
ALTER TABLE sessions RENAME COLUMN mfa_at TO verified_at;
