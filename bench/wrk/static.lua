-- GET of the static contact.json that nginx serves: the HTTP-only ceiling for a read.
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local c = require("common")

function init(args)
    c.seed()
end

function request()
    return wrk.format("GET", "/contact.json")
end

setup = c.setup
done = c.done
