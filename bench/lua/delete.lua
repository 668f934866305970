-- DELETE /tasks/{id}: each id of BENCH_DELETE_IDS once (threads take
-- disjoint shares). When a thread runs out it starts over, and the 404s that
-- follow show up as errors: seed a bigger pool (BENCH_DELETE_POOL).
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local ids
local next_index = 0

function init(args)
  ids = common.share(os.getenv("BENCH_DELETE_IDS"))
end

function request()
  next_index = next_index + 1
  if next_index > #ids then
    next_index = 1
    exhausted = exhausted + 1
  end
  return wrk.format("DELETE", "/tasks/" .. ids[next_index], common.auth)
end
