DROP TABLE IF EXISTS sessiongen_leases;
