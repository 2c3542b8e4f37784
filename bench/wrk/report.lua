-- wrk script of the pageviews benchmark: prints one machine-readable line
--   BENCH requests=N duration_us=N rps=X p50_us=N p90_us=N p99_us=N max_us=N
--         err_connect=N err_read=N err_write=N err_status=N err_timeout=N
-- err_status counts responses with a status >= 400 (wrk's "Non-2xx or 3xx");
-- nothing here answers 1xx or 3xx, so requests - err_status = the 2xx count.
--
-- With BENCH_STOP_PER_THREAD=N in the environment each wrk thread stops after
-- N responses (used to send "about N" requests; wrk itself knows only
-- durations). Without it no response() hook is defined: a Lua call per
-- response would slow wrk down for every scenario.

local stop_after = tonumber(os.getenv("BENCH_STOP_PER_THREAD") or "")

if stop_after then
   local seen = 0
   function response(status, headers, body)
      seen = seen + 1
      if seen >= stop_after then wrk.thread:stop() end
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
      "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.status, e.timeout))
end
