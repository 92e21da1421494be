-- delete: logout. A current session goes at once; a previous key within its
-- grace window names the session it was rotated to, which the caller deletes
-- before deleting the pointer (so that a crash in between leaves the pointer
-- pointing at nothing, never the session alive).
-- KEYS: session, bucket expiry index, bucket key index
-- ARGV: member, now (µs)
local h = redis.call('HMGET', KEYS[1], 'v', 'n', 'g', 'k')
if h[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {'deleted'}
end
if h[2] and tonumber(ARGV[2]) < tonumber(h[3]) and h[4] ~= 'p' then
  return {'follow', h[2]}
end
return {'none'}
