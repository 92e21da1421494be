-- One row per named lease (the cleanup leader election across processes and
-- hosts): a row rather than GET_LOCK, whose lock dies with the connection
-- that took it. Names and holders compare byte for byte (VARBINARY).
CREATE TABLE sessiongen_leases (
    name       VARBINARY(255) NOT NULL,
    holder     VARBINARY(255) NOT NULL,
    expires_at BIGINT         NOT NULL,
    PRIMARY KEY (name)
) ENGINE = InnoDB;
