\set id :client_id * 12500 + :i % 12500 + 1
\set v 1 + :i / 12500
UPDATE sessiongen_sessions
   SET owner = NULLIF(''::text, ''), data = :data::bytea, remember_me = false::boolean, version = version + 1,
       idle_expires_at = LEAST(GREATEST(idle_expires_at, :idle::timestamptz), absolute_expires_at)
 WHERE key = (decode(lpad(to_hex(:id::bigint), 64, '0'), 'hex'))::bytea AND version = :v::bigint
   AND idle_expires_at > :now::timestamptz AND absolute_expires_at > :now::timestamptz
RETURNING version;
\set i :i + 1
