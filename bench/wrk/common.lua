-- Shared helpers for the wrk scripts: data files from BENCH_DATA, the bearer token of
-- BENCH_ROLE, per-thread random seeds, and a JSON summary written to BENCH_RESULT.
local M = {}

local data = os.getenv("BENCH_DATA") or "var/bench/data"

function M.lines(name)
    local out = {}
    for line in io.lines(data .. "/" .. name) do
        if #line > 0 then
            out[#out + 1] = line
        end
    end
    assert(#out > 0, name .. " is empty")
    return out
end

function M.headers(extra)
    local role = os.getenv("BENCH_ROLE") or "admin"
    local f = assert(io.open(data .. "/" .. role .. ".token"))
    local token = f:read("*l")
    f:close()
    local h = { ["Authorization"] = "Bearer " .. token }
    for k, v in pairs(extra or {}) do
        h[k] = v
    end
    return h
end

function M.urlencode(s)
    return (s:gsub("[^%w%-_%.~]", function(c)
        return string.format("%%%02X", string.byte(c))
    end))
end

function M.pick(list)
    return list[math.random(#list)]
end

local next_thread = 1
local threads = {}

-- setup() runs once per wrk thread in the main Lua state: give each thread its number.
function M.setup(thread)
    thread:set("thread_no", next_thread)
    next_thread = next_thread + 1
    threads[#threads + 1] = thread
end

function M.seed()
    math.randomseed(os.time() * 1000 + (thread_no or 0) * 7919)
end

-- done() gets wrk's own latency histogram: percentiles in microseconds, errors by kind.
function M.done(summary, latency, requests)
    local path = os.getenv("BENCH_RESULT")
    if not path then
        return
    end
    local seconds = summary.duration / 1e6
    local f = assert(io.open(path, "w"))
    f:write(string.format(
        '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, ' ..
        '"p99_ms": %.3f, "p999_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, "bytes": %d, ' ..
        '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
        latency.max / 1000, latency.mean / 1000, summary.bytes,
        summary.errors.connect, summary.errors.read, summary.errors.write,
        summary.errors.status, summary.errors.timeout))
    f:close()
end

return M
