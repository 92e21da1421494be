DROP TABLE IF EXISTS sessiongen_leases;
DROP TABLE IF EXISTS sessiongen_sessions;
