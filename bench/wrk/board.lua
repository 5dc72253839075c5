-- GET /api/v1/pipelines/{id}/board: the kanban of the pipeline with the most open deals
-- (counts, sums per currency and the first cards of every stage).
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local c = require("common")

local path, headers

function init(args)
    c.seed()
    path = "/api/v1/pipelines/" .. c.lines("pipeline.txt")[1] .. "/board"
    headers = c.headers()
end

function request()
    return wrk.format("GET", path, headers)
end

setup = c.setup
done = c.done
