{{- /* Flows have typed kinds and states: a set-password flow's origin (once JSON in data) is its kind, and every kind starts in state open. */ -}}
UPDATE flows SET kind = 'password_' || CASE {{ if .PG }}data::json->>'origin'{{ else }}json_extract(data, '$.origin'){{ end }}
    WHEN 'recovery' THEN 'recovery' WHEN 'invite' THEN 'invitation' ELSE 'registration' END,
  data = '{}'
  WHERE kind = 'set_password';
--bun:split
UPDATE flows SET state = CASE state WHEN 'set_password' THEN 'open' WHEN 'begun' THEN 'open' WHEN 'issued' THEN 'open' ELSE state END;
