-- POST /auth/login with the benchmark user's credentials: the login storm.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
setup = common.setup
done = common.done

local body = string.format('{"email": "%s", "password": "%s"}',
  os.getenv("BENCH_EMAIL") or "", os.getenv("BENCH_PASSWORD") or "")

function request()
  return wrk.format("POST", "/auth/login", { ["Content-Type"] = "application/json" }, body)
end
