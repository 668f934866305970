-- POST /tasks: a new task (some with a date or a date-time due).
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

function init(args)
  math.randomseed((tonumber(thread_index) or 0) * 7919 + os.time())
end

function request()
  return wrk.format("POST", "/tasks", common.json_auth, common.create_body())
end
