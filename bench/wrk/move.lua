-- PATCH /api/v1/deals/{id} {"stage_id"}: a durable move of a random open deal to a random open
-- stage of its pipeline (validation, stage history event and search row in one transaction).
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local c = require("common")

local deals, stages, headers

function init(args)
    c.seed()
    deals = c.lines("open_deals.txt")
    stages = c.lines("open_stages.txt")
    headers = c.headers({ ["Content-Type"] = "application/json" })
end

function request()
    return wrk.format("PATCH", "/api/v1/deals/" .. c.pick(deals), headers,
        '{"stage_id":"' .. c.pick(stages) .. '"}')
end

-- Non-2xx answers are counted by wrk as status errors; the report shows them.
setup = c.setup
done = c.done
