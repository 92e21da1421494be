-- rotate_prepare: step 1 of a rotation, in the new key's slot: write the copy of
-- the session as pending (pf = the old key). A pending session loads only once
-- the old key has become a pointer to it (step 2), so a crash here leaves the
-- old key the only live one.
-- KEYS: new session
-- ARGV: old key (hex), owner, data, version, created, idle, absolute, grace end
-- (µs), ttl (ms), rotation kind ("p" privilege, "r" refresh), remember-me,
-- device, IP prefix (the new sign-in's)
local pf = redis.call('HGET', KEYS[1], 'pf')
if redis.call('EXISTS', KEYS[1]) == 1 and pf ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'pf', ARGV[1], 'o', ARGV[2], 'd', ARGV[3], 'v', ARGV[4], 'c', ARGV[5],
  'i', ARGV[6], 'a', ARGV[7], 'p', ARGV[1], 'pu', ARGV[8], 'rk', ARGV[10],
  'rm', ARGV[11], 'dv', ARGV[12], 'ip', ARGV[13])
redis.call('PEXPIRE', KEYS[1], ARGV[9])
return 1
