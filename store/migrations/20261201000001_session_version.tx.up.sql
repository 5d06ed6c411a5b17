{{- /* Sessions carry a version so that concurrent requests of one session cannot overwrite each other's state. */ -}}
ALTER TABLE sessions ADD COLUMN version integer NOT NULL DEFAULT 0;
