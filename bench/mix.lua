-- wrk script of the `mix` scenario (bench/mix.py describes it, bench/run.py runs it). From the environment:
--   BENCH_MIX_DATA  the Lua data file bench/run.py wrote: learners, the catalogue's long tail, the weights
--   BENCH_ORIGIN    the server's origin (http://127.0.0.1:PORT), the Origin and Referer of a check-off
--   BENCH_SEED      a number that varies the draws from one run to the next
-- Each request is one action drawn by the weights. A check-off's redirect, once it comes back, queues that
-- learner's GET of the track page it points to, with the message cookie it set: the next request the thread
-- sends. Every answer is checked: 200 for a page (a learner's shows LEARNER_MARK, a visitor's doesn't), a
-- redirect only where a check-off waits for one; anything else below 400 counts as "unexpected" (wrk counts
-- 400 and above as "status"). The result goes out as one JSON line like report.lua's, with the counters.

local data = dofile(os.getenv("BENCH_MIX_DATA"))
local origin = os.getenv("BENCH_ORIGIN") or ""
local seed = tonumber(os.getenv("BENCH_SEED") or "1") or 1

local function numbers(text)
  local list = {}
  for word in text:gmatch("%S+") do
    list[#list + 1] = tonumber(word)
  end
  return list
end

-- ---------- setup and done: their own environment, which sees every thread ----------

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_number", #threads)
end

-- ---------- running: one environment per thread; these globals are read back in done() ----------

sent = {} -- requests sent, by action (and "followup", the track page after a check-off)
answered = {learner = 0, visitor = 0, checkoff = 0, stray_redirect = 0, other = 0}
unexpected = 0

local learners, checkers, actions, cumulative, total_weight
local resources, track_topics
local pending = {} -- check-off redirects awaited: location -> learners (first in, first out)
local queue = {} -- follow-ups to send before anything else
local messages_pattern = data.messages_cookie:gsub("%p", "%%%0") .. "=([^;]*)"

function init(args)
  math.randomseed(seed * 1000 + (thread_number or 0))
  resources = numbers(data.resources)
  track_topics = {}
  for i, text in ipairs(data.track_topics) do
    track_topics[i] = numbers(text)
  end
  learners, checkers = {}, {} -- checkers: the learners with something left to check off
  for i, row in ipairs(data.learners) do
    local session_key, csrf, track, pairs_text = row[1], row[2], row[3], row[4]
    local checkoffs = {}
    for t, topic in pairs_text:gmatch("(%d+):(%d+)") do
      checkoffs[#checkoffs + 1] = {tonumber(t), tonumber(topic)}
    end
    learners[i] = {
      cookie = data.session_cookie .. "=" .. session_key .. "; " .. data.csrf_cookie .. "=" .. csrf,
      csrf = csrf,
      track = track,
      checkoffs = checkoffs,
    }
    if #checkoffs > 0 then
      checkers[#checkers + 1] = i
    end
  end
  actions, cumulative, total_weight = {}, {}, 0
  for i, pair in ipairs(data.weights) do
    actions[i] = pair[1]
    total_weight = total_weight + pair[2]
    cumulative[i] = total_weight
    sent[pair[1]] = 0
  end
  sent.followup = 0
end

-- The long tail: k = floor((n + 1)^u) for a uniform u in [0, 1) lies in 1..n with P(k) roughly ∝ 1/k.
local function tail_index(n)
  return math.floor((n + 1) ^ math.random())
end

local function tail(list)
  return list[tail_index(#list)]
end

local function uniform(list)
  return list[math.random(#list)]
end

local function draw_action()
  local r = math.random() * total_weight
  for i, bound in ipairs(cumulative) do
    if r < bound then
      return actions[i]
    end
  end
  return actions[#actions]
end

local function track_path(track)
  return "/tracks/" .. data.tracks[track] .. "/"
end

local function topic_path(topic)
  return "/topics/" .. data.topics[topic] .. "/"
end

local function get(path, cookie)
  return wrk.format("GET", path, cookie and {Cookie = cookie} or {})
end

local function checkoff(number, learner)
  local pick = uniform(learner.checkoffs)
  local track, topic = data.tracks[pick[1]], data.topics[pick[2]]
  -- The track page's form: the track, and the topic's select sending its option's label.
  local body = "track=" .. track .. "&status-" .. topic .. "=" .. data.done_label
  local headers = {
    Cookie = learner.cookie,
    ["X-CSRFToken"] = learner.csrf,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  if origin ~= "" then
    headers["Origin"] = origin
    headers["Referer"] = origin .. track_path(pick[1])
  end
  -- Without `next` the view sends the learner back to the topic's node on the track's page.
  local location = track_path(pick[1]) .. "#node-" .. topic
  local waiting = pending[location] or {}
  waiting[#waiting + 1] = number
  pending[location] = waiting
  return wrk.format("POST", topic_path(pick[2]) .. "status/", headers, body)
end

local builders = {
  learner_track = function(learner)
    return get(track_path(learner.track), learner.cookie)
  end,
  learner_topic = function(learner)
    if math.random() < 0.5 then -- walking their track, as its page links
      local topic = uniform(track_topics[learner.track])
      return get(topic_path(topic) .. "?track=" .. data.tracks[learner.track], learner.cookie)
    end
    return get(topic_path(tail_index(#data.topics)), learner.cookie)
  end,
  learner_dashboard = function(learner)
    return get("/me/", learner.cookie)
  end,
  learner_resource = function(learner)
    return get("/resources/" .. tail(resources) .. "/", learner.cookie)
  end,
  learner_resources = function(learner)
    return get(tail(data.resource_lists), learner.cookie)
  end,
  visitor_home = function()
    return get("/")
  end,
  visitor_tracks = function()
    return get("/tracks/")
  end,
  visitor_track = function()
    return get(track_path(tail_index(#data.tracks)))
  end,
  visitor_topic = function()
    return get(topic_path(tail_index(#data.topics)))
  end,
  visitor_resource = function()
    return get("/resources/" .. tail(resources) .. "/")
  end,
  visitor_resources = function()
    return get(tail(data.resource_lists))
  end,
  visitor_search = function()
    return get(tail(data.searches))
  end,
}

function request()
  local follow = table.remove(queue, 1)
  if follow then
    sent.followup = sent.followup + 1
    local cookie = follow.learner.cookie
    if follow.message then
      cookie = cookie .. "; " .. data.messages_cookie .. "=" .. follow.message
    end
    return get(follow.path, cookie)
  end
  local action = draw_action()
  sent[action] = sent[action] + 1
  if action == "checkoff" then
    local number = checkers[math.random(#checkers)]
    return checkoff(number, learners[number])
  end
  local number = math.random(#learners)
  return builders[action](learners[number])
end

function response(status, headers, body)
  if status == 200 then
    if body:find(data.learner_mark, 1, true) then
      answered.learner = answered.learner + 1
    else
      answered.visitor = answered.visitor + 1
    end
  elseif status == 302 or status == 303 then
    local location = headers["Location"] or headers["location"]
    local waiting = location and pending[location]
    if waiting and #waiting > 0 then
      answered.checkoff = answered.checkoff + 1
      local cookie = headers["Set-Cookie"] or headers["set-cookie"] or ""
      queue[#queue + 1] = {
        learner = learners[table.remove(waiting, 1)],
        path = location:gsub("#.*$", ""),
        message = cookie:match(messages_pattern),
      }
    else -- a login redirect, or one no check-off waited for
      answered.stray_redirect = answered.stray_redirect + 1
      unexpected = unexpected + 1
    end
  elseif status < 400 then
    answered.other = answered.other + 1
    unexpected = unexpected + 1
  end
end

-- ---------- done ----------

local function json_counts(counts)
  local names = {}
  for name in pairs(counts) do
    names[#names + 1] = name
  end
  table.sort(names)
  local parts = {}
  for i, name in ipairs(names) do
    parts[i] = string.format('"%s": %d', name, counts[name])
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function add(total, counts)
  for name, value in pairs(counts) do
    total[name] = (total[name] or 0) + value
  end
end

function done(summary, latency, requests)
  local all_sent, all_answered, all_unexpected = {}, {}, 0
  for _, thread in ipairs(threads) do
    add(all_sent, thread:get("sent") or {})
    add(all_answered, thread:get("answered") or {})
    all_unexpected = all_unexpected + (thread:get("unexpected") or 0)
  end
  -- A learner's request answered with a visitor's page shows as more visitors' pages than were asked for.
  local visitors_sent = 0
  for name, count in pairs(all_sent) do
    if name:sub(1, 8) == "visitor_" then
      visitors_sent = visitors_sent + count
    end
  end
  local as_visitor = math.max(0, (all_answered.visitor or 0) - visitors_sent)
  all_answered.learner_as_visitor = as_visitor
  all_unexpected = all_unexpected + as_visitor

  local seconds = summary.duration / 1e6 -- wrk counts in microseconds, latencies too
  local errors = summary.errors -- status: answers of 400 and above
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "rps": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d, "unexpected": %d}, '
      .. '"mix": {"sent": %s, "answered": %s}}\n',
    summary.requests,
    seconds,
    seconds > 0 and summary.requests / seconds or 0,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    errors.connect,
    errors.read,
    errors.write,
    errors.timeout,
    errors.status,
    all_unexpected,
    json_counts(all_sent),
    json_counts(all_answered)
  ))
end
