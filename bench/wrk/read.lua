-- GET /api/v1/contacts/{id} with ids drawn at random from BENCH_IDS (ids.txt or team_ids.txt).
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local c = require("common")

local ids, headers

function init(args)
    c.seed()
    ids = c.lines(os.getenv("BENCH_IDS") or "ids.txt")
    headers = c.headers()
end

function request()
    return wrk.format("GET", "/api/v1/contacts/" .. c.pick(ids), headers)
end

setup = c.setup
done = c.done
