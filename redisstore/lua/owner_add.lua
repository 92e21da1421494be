-- owner_add: put a session key in its owner's index, and keep the index alive
-- at least as long as the session can be.
-- KEYS: owner index
-- ARGV: member, created (µs, the score), ttl (ms)
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local ttl = tonumber(ARGV[3])
local current = redis.call('PTTL', KEYS[1])
if current >= 0 and current < ttl then
  redis.call('PEXPIRE', KEYS[1], ttl)
elseif current == -1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return 1
