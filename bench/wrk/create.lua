-- POST /api/v1/contacts: a new contact per request, unique email, company reference, phone
-- (normalised to E.164 by the server), owner defaulting to the caller.
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local c = require("common")

local names, companies, headers
local firsts = { "Иван", "Мария", "Алексей", "Ольга", "John", "Emily", "Андрій", "Оксана" }
local sources = { "web_form", "email", "call", "messenger", "manual", "import", "referral" }
local n = 0

function init(args)
    c.seed()
    names = c.lines("last_names.txt")
    companies = c.lines("companies.txt")
    headers = c.headers({ ["Content-Type"] = "application/json" })
end

function request()
    n = n + 1
    local body = string.format(
        '{"first_name":"%s","last_name":"%s","email":"bench.%d.%d.%d@example.ru",' ..
        '"phone":"8%d","company_id":"%s","source":"%s","birthday":"19%02d-%02d-%02d"}',
        c.pick(firsts), c.pick(names), thread_no or 0, n, math.random(1e9),
        9000000000 + math.random(999999999), c.pick(companies), c.pick(sources),
        60 + math.random(39), math.random(12), math.random(28))
    return wrk.format("POST", "/api/v1/contacts", headers, body)
end

setup = c.setup
done = c.done
