-- GET /api/v1/search?q=: name prefixes, "first last", email and phone prefixes.
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local c = require("common")

local terms, headers

function init(args)
    c.seed()
    terms = c.lines("search_terms.txt")
    headers = c.headers()
end

function request()
    return wrk.format("GET", "/api/v1/search?q=" .. c.urlencode(c.pick(terms)), headers)
end

setup = c.setup
done = c.done
