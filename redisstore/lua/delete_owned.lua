-- delete_owned: one step of "revoke all": delete the key if it belongs to owner.
-- A pointer is deleted too and names its target, which the caller deletes next,
-- unless the target is the excepted session (then the pointer stays: it is the
-- excepted session's grace key).
-- KEYS: session, bucket expiry index, bucket key index
-- ARGV: member, owner, excepted key (hex, or "")
local h = redis.call('HMGET', KEYS[1], 'v', 'o', 'n', 'pf')
if not h[1] and not h[3] then
  return {'missing'}
end
if h[2] ~= ARGV[2] then
  return {'kept'}
end
if h[3] then
  if h[3] == ARGV[3] then
    return {'kept'}
  end
  redis.call('DEL', KEYS[1])
  return {'follow', h[3]}
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if h[4] then
  return {'pending'}
end
return {'deleted'}
