-- lease_acquire: take or renew a named lease unless another holder's is unexpired.
-- KEYS: lease
-- ARGV: holder, until, now (µs), ttl (ms)
local h = redis.call('HMGET', KEYS[1], 'h', 'u')
if h[1] and h[1] ~= ARGV[1] and tonumber(ARGV[3]) < tonumber(h[2]) then
  return 0
end
redis.call('HSET', KEYS[1], 'h', ARGV[1], 'u', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
