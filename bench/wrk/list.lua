-- GET /api/v1/contacts: a page of 50 with a randomized filter and sort, as a list view asks:
-- by last name (newest first), by source, by name prefix (alphabetical), by company and source.
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local c = require("common")

local names, companies, headers
local sources = { "web_form", "email", "call", "messenger", "manual", "import", "referral" }

-- The first n UTF-8 code points of s.
local function prefix(s, n)
    local i, taken = 1, 0
    while i <= #s and taken < n do
        local b = s:byte(i)
        i = i + (b < 0x80 and 1 or b < 0xe0 and 2 or b < 0xf0 and 3 or 4)
        taken = taken + 1
    end
    return s:sub(1, i - 1)
end

function init(args)
    c.seed()
    names = c.lines("last_names.txt")
    companies = c.lines("companies.txt")
    headers = c.headers()
end

local queries = {
    function()
        return "filter%5Blast_name%5D=" .. c.urlencode(c.pick(names)) .. "&sort=-updated_at"
    end,
    function()
        return "filter%5Bsource%5D=" .. c.pick(sources) .. "&sort=-updated_at"
    end,
    function()
        return "filter%5Blast_name%5D%5Bstarts%5D=" .. c.urlencode(prefix(c.pick(names), 3)) ..
            "&sort=last_name"
    end,
    function()
        return "filter%5Bcompany_id%5D=" .. c.pick(companies) .. "&filter%5Bsource%5D=" ..
            c.pick(sources) .. "&sort=-created_at"
    end,
}

-- BENCH_LIST_TEMPLATES="1 3" restricts the mix to those queries (for a per-query breakdown).
local active = {}

local function choose()
    if #active == 0 then
        for n in (os.getenv("BENCH_LIST_TEMPLATES") or "1 2 3 4"):gmatch("%d+") do
            active[#active + 1] = queries[tonumber(n)]
        end
    end
    return active[math.random(#active)]
end

function request()
    local q = choose()()
    return wrk.format("GET", "/api/v1/contacts?limit=50&" .. q, headers)
end

setup = c.setup
done = c.done
