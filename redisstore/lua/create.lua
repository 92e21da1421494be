-- create: store a new session, never overwriting any key (current, previous or
-- in-flight rotation), and index it in its bucket.
-- KEYS: session, bucket expiry index, bucket key index
-- ARGV: member, owner, data, created, idle, absolute (µs), ttl (ms),
-- remember-me ("1" or "0"), device, IP prefix
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {'exists'}
end
redis.call('HSET', KEYS[1], 'o', ARGV[2], 'd', ARGV[3], 'v', '1', 'c', ARGV[4], 'i', ARGV[5], 'a', ARGV[6],
  'rm', ARGV[8], 'dv', ARGV[9], 'ip', ARGV[10])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[3], 0, ARGV[1])
-- Drop up to two index entries at the low end whose sessions Redis has already
-- expired by TTL, so the indexes stay bounded without a janitor.
local oldest = redis.call('ZRANGE', KEYS[2], 0, 1)
local stem = string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[1])
for _, m in ipairs(oldest) do
  if redis.call('EXISTS', stem .. m) == 0 then
    redis.call('ZREM', KEYS[2], m)
    redis.call('ZREM', KEYS[3], m)
  end
end
return {'ok'}
