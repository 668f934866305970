-- The mixed workload: 50% get, 20% list, 15% create, 10% patch, 5% delete.
-- Deletes remove tasks this thread created during the run (creates outnumber
-- them 3 to 1), so the seeded tasks that gets and patches use stay put and
-- any server speed is sustainable. Until a created task is known, a delete
-- turns into a create.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local ids
local created = {}
local head, tail = 1, 0

function init(args)
  math.randomseed((tonumber(thread_index) or 0) * 7919 + os.time())
  ids = common.read_lines(os.getenv("BENCH_IDS"))
end

function request()
  local r = math.random(100)
  if r <= 50 then
    return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)], common.auth)
  elseif r <= 70 then
    return wrk.format("GET", "/tasks", common.auth)
  elseif r <= 85 then
    return wrk.format("POST", "/tasks", common.json_auth, common.create_body())
  elseif r <= 95 then
    return wrk.format("PATCH", "/tasks/" .. ids[math.random(#ids)], common.json_auth,
      common.patch_body())
  end
  if head <= tail then
    local id = created[head]
    created[head] = nil
    head = head + 1
    return wrk.format("DELETE", "/tasks/" .. id, common.auth)
  end
  return wrk.format("POST", "/tasks", common.json_auth, common.create_body())
end

function response(status, headers, body)
  if status == 201 then
    local location = headers["Location"] or headers["location"]
    local id = location and location:match("/tasks/(.+)$")
    if id then
      tail = tail + 1
      created[tail] = id
    end
  end
end
