-- delete_expired: one session of a cleanup batch: delete it if it is still
-- expired at now (a concurrent touch may have revived it), and drop its index
-- entries, also when Redis already expired the session by TTL.
-- KEYS: session, bucket expiry index, bucket key index
-- ARGV: member, now (µs)
local idle = redis.call('HGET', KEYS[1], 'i')
if idle and redis.call('HEXISTS', KEYS[1], 'v') == 1 and tonumber(idle) > tonumber(ARGV[2]) then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
