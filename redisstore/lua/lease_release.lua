-- lease_release: give up a lease, only by its holder.
-- KEYS: lease
-- ARGV: holder
if redis.call('HGET', KEYS[1], 'h') == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return 1
