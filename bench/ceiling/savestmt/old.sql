\set id :client_id * 12500 + :i % 12500 + 1
\set v 1 + :i / 12500
WITH current AS (
    SELECT c.version FROM sessiongen_sessions c
     WHERE c.key = (decode(lpad(to_hex(:id::bigint), 64, '0'), 'hex'))::bytea
       AND c.idle_expires_at > :now::timestamptz AND c.absolute_expires_at > :now::timestamptz
), saved AS (
    UPDATE sessiongen_sessions s
       SET owner = NULLIF(''::text, ''), data = :data::bytea, remember_me = false::boolean, version = s.version + 1,
           idle_expires_at = LEAST(GREATEST(s.idle_expires_at, :idle::timestamptz), s.absolute_expires_at)
     WHERE s.key = (decode(lpad(to_hex(:id::bigint), 64, '0'), 'hex'))::bytea AND s.version = :v::bigint
       AND s.idle_expires_at > :now::timestamptz AND s.absolute_expires_at > :now::timestamptz
    RETURNING s.version
)
SELECT COALESCE((SELECT version FROM saved), 0)::bigint AS new_version,
       COALESCE((SELECT version FROM current), 0)::bigint AS current_version;
\set i :i + 1
