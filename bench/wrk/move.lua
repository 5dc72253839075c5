-- PATCH /api/v1/deals/{id} {"stage_id"} with If-Match: a durable move of a random open deal to a
-- random open stage of its pipeline (validation, stage history event, search row and board
-- roll-ups in one transaction). Each wrk thread owns its share of the deals and learns every new
-- version from the ETag of the answer, so a deal is never sent twice at once and If-Match always
-- names the current version: a 412 here would be a lost update, counted as a status error.
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local c = require("common")

local ids, versions, busy, stages, headers

function init(args)
    c.seed()
    local threads = tonumber(os.getenv("BENCH_MOVE_THREADS") or "1")
    ids, versions, busy = {}, {}, {}
    for i, line in ipairs(c.lines("deal_versions.txt")) do
        local id, version = line:match("^(%S+) (%d+)$")
        if id and (i - 1) % threads == (thread_no or 1) - 1 then
            ids[#ids + 1] = id
            versions[id] = version
        end
    end
    assert(#ids > 0, "no deals for this thread")
    stages = c.lines("open_stages.txt")
    headers = c.headers({ ["Content-Type"] = "application/json" })
end

function request()
    local id = c.pick(ids)
    while busy[id] do
        id = c.pick(ids)
    end
    busy[id] = true
    headers["If-Match"] = '"' .. versions[id] .. '"'
    return wrk.format("PATCH", "/api/v1/deals/" .. id, headers,
        '{"stage_id":"' .. c.pick(stages) .. '"}')
end

function response(status, hdrs, body)
    local id = body and body:match('"id":"([^"]+)"')
    if id and busy[id] then
        local etag = hdrs["ETag"] or hdrs["etag"]
        local version = etag and etag:match("(%d+)")
        if version then
            versions[id] = version
        end
        busy[id] = nil
    end
end

-- Non-2xx answers are counted by wrk as status errors; the report shows them.
setup = c.setup
done = c.done
