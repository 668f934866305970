-- GET /tasks/{id}: a random task of the benchmark user.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local ids

function init(args)
  math.randomseed((tonumber(thread_index) or 0) * 7919 + os.time())
  ids = common.read_lines(os.getenv("BENCH_IDS"))
end

function request()
  return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)], common.auth)
end
