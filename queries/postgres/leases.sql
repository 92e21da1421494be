-- name: AcquireLease :execrows
-- Takes the lease for holder, renews it when holder has it already, or takes it
-- over once it has expired. 0 rows means another holder's lease is unexpired.
INSERT INTO sessiongen_leases (name, holder, expires_at)
VALUES (sqlc.arg(name)::text, sqlc.arg(holder)::text, sqlc.arg(expires_at)::timestamptz)
ON CONFLICT (name) DO UPDATE
   SET holder = excluded.holder, expires_at = excluded.expires_at
 WHERE sessiongen_leases.holder = excluded.holder
    OR sessiongen_leases.expires_at <= sqlc.arg(now)::timestamptz;

-- name: ReleaseLease :exec
-- Gives up holder's lease; a lease held by someone else is left alone.
DELETE FROM sessiongen_leases
 WHERE name = sqlc.arg(name)::text AND holder = sqlc.arg(holder)::text;
