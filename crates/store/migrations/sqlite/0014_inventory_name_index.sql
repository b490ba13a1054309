-- A package looked up by name for one agent (`GET /syscollector/{id}/packages?name=openssl`)
-- or for all (`GET /experimental/syscollector/packages?name=openssl`) reads only its matches.
DROP INDEX sys_programs_name;
CREATE INDEX sys_programs_name ON sys_programs (name COLLATE NOCASE, agent_id);
