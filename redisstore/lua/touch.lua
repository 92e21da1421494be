-- touch: move the idle expiry of a live session forward, never backwards, never
-- past the absolute expiry, without changing its version.
-- KEYS: session, bucket expiry index
-- ARGV: member, idle, now (µs), retention (ms)
local h = redis.call('HMGET', KEYS[1], 'v', 'i', 'a', 'pf')
if not h[1] then
  return {'notfound'}
end
if h[4] then
  return {'pending'}
end
local now, idle, abs = tonumber(ARGV[3]), tonumber(h[2]), tonumber(h[3])
if now >= idle or now >= abs then
  return {'notfound'}
end
local nidle = math.max(idle, math.min(tonumber(ARGV[2]), abs))
if nidle ~= idle then
  redis.call('HSET', KEYS[1], 'i', string.format('%d', nidle))
  redis.call('PEXPIRE', KEYS[1], math.ceil((nidle - now) / 1000) + tonumber(ARGV[4]))
  redis.call('ZADD', KEYS[2], string.format('%d', nidle), ARGV[1])
end
return {'ok'}
