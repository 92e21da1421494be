-- delete_prev: the second step of a logout through a previous key: delete the
-- session only if it is still the one rotated from that key.
-- KEYS: session, bucket expiry index, bucket key index
-- ARGV: member, previous key (hex)
if redis.call('HGET', KEYS[1], 'p') == ARGV[2] and redis.call('HEXISTS', KEYS[1], 'v') == 1 then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {'deleted'}
end
return {'none'}
