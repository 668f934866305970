-- GET /tasks: the first page of the default listing (20 tasks, newest first).
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

function request()
  return wrk.format("GET", "/tasks", common.auth)
end
