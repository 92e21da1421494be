-- rotate_finish: step 3 of a rotation, in the new key's slot: the rotation is
-- committed, so the pending copy becomes an ordinary session (bucket indexes,
-- latest idle expiry). Also run when a load finds a committed pending session
-- (a crash between steps 2 and 3).
-- KEYS: new session, bucket expiry index, bucket key index
-- ARGV: member, old key (hex), latest idle expiry of the old key (µs)
if redis.call('HGET', KEYS[1], 'pf') ~= ARGV[2] then
  return 0
end
local idle = math.max(tonumber(redis.call('HGET', KEYS[1], 'i')), tonumber(ARGV[3]))
idle = math.min(idle, tonumber(redis.call('HGET', KEYS[1], 'a')))
redis.call('HDEL', KEYS[1], 'pf')
redis.call('HSET', KEYS[1], 'i', string.format('%d', idle))
redis.call('ZADD', KEYS[2], string.format('%d', idle), ARGV[1])
redis.call('ZADD', KEYS[3], 0, ARGV[1])
return 1
