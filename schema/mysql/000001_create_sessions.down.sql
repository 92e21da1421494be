DROP TABLE IF EXISTS sessiongen_sessions;
