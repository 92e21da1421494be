-- name: AcquireLease :execresult
-- Takes a free or expired lease, or renews our own, in one statement. The
-- insert takes a lease nobody ever held (or that its holder released); on an
-- existing row the update decides, on the row it holds locked and as the last
-- commit left it, so that of several holders racing for one lease exactly one
-- gets it. (An INSERT ... SELECT ... WHERE NOT EXISTS would not do: at READ
-- COMMITTED its NOT EXISTS is a consistent read without locks, and racers that
-- all read "free" all wrote.)
--
-- The first assignment says whether another holder's lease is still running,
-- through LAST_INSERT_ID(expr), which the server reports as the statement's
-- insert id (as in SaveSession): 1 means another holder keeps the lease and
-- nothing changes. An insert, or an update that took or renewed the lease,
-- reports 0. The second assignment reads holder after the first one set it
-- (assignments run left to right): it is ours exactly when we took the lease.
-- An upsert is right here, unlike for sessions: a lease row carries nothing
-- that could be brought back to life.
INSERT INTO sessiongen_leases (name, holder, expires_at)
VALUES (sqlc.arg(name), sqlc.arg(holder), sqlc.arg(expires_at))
ON DUPLICATE KEY UPDATE
    holder = IF(LAST_INSERT_ID(holder <> VALUES(holder) AND expires_at > CAST(sqlc.arg(now) AS SIGNED)),
                holder, VALUES(holder)),
    expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at);

-- name: ReleaseLease :exec
-- Gives up holder's lease; a lease held by someone else is left alone.
DELETE FROM sessiongen_leases
 WHERE name = sqlc.arg(name) AND holder = sqlc.arg(holder);
