-- delete_if_owned: end one session of an owner (DeleteOwned, TrimOwner): delete
-- it if it is a session (not a rotation pointer) of owner and, when now is
-- given, live. A pending rotation copy is reported for the caller to settle.
-- KEYS: session, bucket expiry index, bucket key index
-- ARGV: member, owner, now (µs, or "" to delete an expired session too)
local h = redis.call('HMGET', KEYS[1], 'v', 'o', 'i', 'a', 'pf')
if not h[1] or h[2] ~= ARGV[2] then
  return {'notfound'}
end
if h[5] then
  return {'pending'}
end
if ARGV[3] ~= '' then
  local now = tonumber(ARGV[3])
  if now >= tonumber(h[3]) or now >= tonumber(h[4]) then
    return {'notfound'}
  end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return {'deleted'}
