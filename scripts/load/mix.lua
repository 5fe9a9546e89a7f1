-- One kind of Nexus user for wrk (scripts/cluster-load): each connection is a person who sends a request, reads the
-- answer, and thinks before the next (`delay`), so 200 connections are 200 users, not 200 tight loops.
--   wrk -c N -d 300s -s scripts/load/mix.lua <url> -- <kind> <token> [think_ms] [args...]
-- kinds: search (a workshop's catalog search), part (a part's page: the part, then its availability), dashboard (a
-- plant manager's live figures), movement (a storekeeper's issue or return, each under its own idempotency key),
-- ingest (the plant's machines: a batch of units), upload (a bodega's 10,000-row file, committed).

local kind, token, think
local words = { "filtro", "balata", "amortiguador", "bujia", "banda", "bomba de agua", "sensor", "faro", "radiador",
  "junta", "pastillas hilux", "filtro de aceite versa", "clutch", "termostato", "rotula", "maza", "soporte motor" }
local parts, items = {}, {}
local dept, item, line, area, product, file_body, boundary
local counter = 0

local function split(s)
  local out = {}
  for v in string.gmatch(s or "", "[^,]+") do out[#out + 1] = v end
  return out
end

function init(args)
  kind, token, think = args[1], args[2], tonumber(args[3] or "1000")
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  if kind == "part" then
    parts = split(args[4])
  elseif kind == "movement" then
    items, dept = split(args[4]), args[5]
  elseif kind == "ingest" then
    line, area, product = args[4], args[5], args[6]
  elseif kind == "upload" then
    local f = assert(io.open(args[4], "rb"))
    file_body = f:read("*a")
    f:close()
    boundary = "nexus-load-boundary"
  end
end

local function uuid()
  return string.format("%08x-%04x-4%03x-a%03x-%012x", math.random(0, 0xffffffff), math.random(0, 0xffff),
    math.random(0, 0xfff), math.random(0, 0xfff), math.random(0, 0xffffffffffff))
end

local function esc(s)
  return (string.gsub(s, "[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function headers(extra)
  local h = { ["authorization"] = "Bearer " .. token }
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function request()
  counter = counter + 1
  if kind == "search" then
    return wrk.format("GET", "/api/v1/parts/search?q=" .. esc(words[math.random(#words)]), headers())
  elseif kind == "part" then
    local id = parts[math.random(#parts)]
    if counter % 2 == 0 then
      return wrk.format("GET", "/api/v1/parts/" .. id .. "/availability", headers())
    end
    return wrk.format("GET", "/api/v1/parts/" .. id, headers())
  elseif kind == "dashboard" then
    local now = os.time()
    local from = os.date("!%Y-%m-%dT%H:%M:%SZ", now - 8 * 3600)
    local to = os.date("!%Y-%m-%dT%H:%M:%SZ", now)
    return wrk.format("GET", "/api/v1/production/oee?from=" .. esc(from) .. "&to=" .. esc(to), headers())
  elseif kind == "movement" then
    -- A unit returned, then the same unit issued: the shelves never run dry over the run.
    local action = "issue"
    if counter % 2 == 1 then
      action, item = "return", items[math.random(#items)]
    end
    local body = string.format(
      '{"idempotency_key":"load-%s","source":"api","lines":[{"action":"%s","item":%s,"department":%s,"quantity":1}]}',
      uuid(), action, item, dept)
    return wrk.format("POST", "/api/v1/stock/postings", headers({ ["content-type"] = "application/json" }), body)
  elseif kind == "ingest" then
    local units = {}
    local t = os.time() - 60
    for i = 1, 50 do
      units[i] = string.format('{"line":"%s","area":"%s","product":"%s","at":"%s","good":%s}', line, area, product,
        os.date("!%Y-%m-%dT%H:%M:%SZ", t - (i % 50)), (i % 17 == 0) and "false" or "true")
    end
    local body = '{"batch_id":"load-' .. uuid() .. '","detections":[' .. table.concat(units, ",") .. "]}"
    return wrk.format("POST", "/api/v1/production/detections", headers({ ["content-type"] = "application/json" }), body)
  elseif kind == "upload" then
    local body = "--" .. boundary .. '\r\ncontent-disposition: form-data; name="dry_run"\r\n\r\nfalse\r\n' ..
      "--" .. boundary .. '\r\ncontent-disposition: form-data; name="allow_repeat"\r\n\r\ntrue\r\n' ..
      "--" .. boundary .. '\r\ncontent-disposition: form-data; name="mapping"\r\n\r\n' ..
      '{"part_number":0,"price":1,"stock":2}\r\n' ..
      "--" .. boundary .. '\r\ncontent-disposition: form-data; name="file"; filename="existencias.csv"\r\n' ..
      "content-type: text/csv\r\n\r\n" .. file_body .. "\r\n--" .. boundary .. "--\r\n"
    return wrk.format("POST", "/api/v1/inventory/uploads",
      headers({ ["content-type"] = "multipart/form-data; boundary=" .. boundary }), body)
  end
end

function delay()
  -- Think time: between half and one and a half of the kind's mean.
  return math.floor(think * (0.5 + math.random()))
end

function done(summary, latency, requests)
  io.write(string.format("KIND %s requests=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d " ..
    "timeouts=%d p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f\n", kind, summary.requests, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
