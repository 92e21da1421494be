-- save: compare-and-set of owner, data and remember-me on a live session at the
-- caller's version; moves the idle expiry forward only. Never inserts.
-- KEYS: session, bucket expiry index
-- ARGV: member, version, owner, data, idle, now (µs), retention (ms), indexed ("1"
-- when the caller has put the session in the new owner's index), remember-me
local h = redis.call('HMGET', KEYS[1], 'v', 'i', 'a', 'o', 'pf')
if not h[1] then
  return {'notfound'}
end
if h[5] then
  return {'pending'}
end
local now, idle, abs = tonumber(ARGV[6]), tonumber(h[2]), tonumber(h[3])
if now >= idle or now >= abs then
  return {'notfound'}
end
if h[1] ~= ARGV[2] then
  return {'conflict'}
end
if ARGV[3] ~= '' and ARGV[3] ~= (h[4] or '') and ARGV[8] ~= '1' then
  -- A new owner: the caller must index the session first, so that no owned
  -- session is ever missing from its owner's index.
  return {'index', h[3]}
end
local nidle = math.max(idle, math.min(tonumber(ARGV[5]), abs))
local v = tonumber(h[1]) + 1
redis.call('HSET', KEYS[1], 'o', ARGV[3], 'd', ARGV[4], 'v', string.format('%d', v), 'i', string.format('%d', nidle),
  'rm', ARGV[9])
redis.call('PEXPIRE', KEYS[1], math.ceil((nidle - now) / 1000) + tonumber(ARGV[7]))
redis.call('ZADD', KEYS[2], string.format('%d', nidle), ARGV[1])
return {'ok', v}
