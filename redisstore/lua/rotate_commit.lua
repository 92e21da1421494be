-- rotate_commit: step 2 of a rotation, in the old key's slot, and its commit
-- point: if the session is live and still at the version that was copied, the
-- old key becomes a pointer to the new one for the grace window.
-- KEYS: old session, bucket expiry index, bucket key index
-- ARGV: member, version, new key (hex), grace end, now (µs), retention (ms), kind
local h = redis.call('HMGET', KEYS[1], 'v', 'i', 'a', 'o', 'pf')
if not h[1] or h[5] then
  return {'notfound'}
end
local now = tonumber(ARGV[5])
if now >= tonumber(h[2]) or now >= tonumber(h[3]) then
  return {'notfound'}
end
if h[1] ~= ARGV[2] then
  return {'conflict'}
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[1], 'n', ARGV[3], 'g', ARGV[4], 'o', h[4], 'i', h[2], 'k', ARGV[7])
local ttl = math.ceil((math.max(tonumber(ARGV[4]), now) - now) / 1000) + tonumber(ARGV[6])
redis.call('PEXPIRE', KEYS[1], ttl)
return {'ok', h[2]}
