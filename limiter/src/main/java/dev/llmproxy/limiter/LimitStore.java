package dev.llmproxy.limiter;

/*
 * Design note: limits that stay exact across instances (a shared Redis store; not built yet, the seam is this
 * interface).
 *
 * Goal. With N llmproxy instances behind a load balancer, a deployment's rpm, rpd and max_parallel_requests hold for
 * the sum of all instances exactly as LocalLimitSet holds them for one: in every window, admitted calls never exceed
 * the limit. LiteLLM does not achieve this (its counters are per process with a best-effort Redis sync: a key limit
 * of 100 let 544 of 1022 requests through, #13202; parallel counters leak on timeouts and cancelled streams, #20256),
 * and a network round trip per admission (0.2-0.5 ms to Redis on a LAN) would cost about as much as the proxy's whole
 * added latency (0.23 ms at the median in the bench). So the admit path stays local and the round trips move off it.
 *
 * Clock and windows. Windows are the same fixed calendar windows as LocalLimitSet's (UTC minutes; days in the spec's
 * zone). Instances must agree on which window a call belongs to, so window starts come from Redis' TIME (read with
 * every lease, and the local clock's offset to it kept), never from each host's clock alone. A call admitted in the
 * last milliseconds of a window by an instance whose offset is stale is counted in the window its lease belongs to:
 * leases, not clocks, decide the count.
 *
 * Request slots (rpm, rpd). Redis holds, per set key and window start, the number of slots granted so far
 * ({key}:m:{minute}, {key}:d:{day}, with a TTL of the window plus a margin). An instance takes a block of slots with a
 * Lua script (atomic in Redis): grant = min(asked, limit - granted) for every request limit of the set at once (a
 * block counts against the minute and the day together, like the local word), add the grant, return it with TIME.
 * Because the script never grants past the limit, the grants of all instances in a window sum to at most the limit;
 * each instance admits locally, with one CAS as now, only while it holds unused granted slots. Hence exactness:
 * admitted <= granted <= limit, in every window, whatever the interleaving and whatever happens to an instance. The
 * price is the opposite error: an instance may refuse (429) while another holds unused slots. It is bounded by the
 * block size: blocks start at max(1, remaining / (2 x instances seen this window)) and shrink as the window fills,
 * down to single slots for the last ones, so at most (instances - 1) slots can be stranded; the 429's retry-after is
 * then the time to the window's end, as now. For a free tier at 2 RPM every grant is a single slot: one round trip per
 * request, which at such a rate costs nothing. Unused request slots die with their window (they are counts, not
 * reservations), so a crashed instance loses nothing but its unused block.
 *
 * Parallel slots (max_parallel_requests). These are given back, so they are leased, not counted: a sorted set per key
 * whose members are (instance, lease id) scored by their expiry in Redis time. A script admits a lease of k slots when
 * the live members' slots plus k stay within the limit, after removing expired members; the instance renews its
 * leases every few seconds (one pipelined call for all its sets) and gives slots back in blocks when its calls end.
 * An instance that dies stops renewing and its slots come back after the lease TTL (say 15 s), never sooner: a slot is
 * never counted twice, which is LiteLLM's leak turned into a bounded delay.
 *
 * Tokens (tpm). Charged when a call ends, as now, by INCRBY on {key}:t:{minute} (batched per instance every few ms);
 * an instance admits while its last-read sum plus its own unreported tokens is below the limit. The overshoot bound of
 * LocalLimitSet (the tokens of calls admitted before their usage came back) grows by what other instances charged
 * since the last read; tpm is not exact in LiteLLM either and cannot be without knowing usage at admission.
 *
 * Failure. If Redis cannot be reached, an instance keeps admitting against the slots it holds, then refuses with 429
 * (fail closed: a quota is never exceeded), unless the operator chose to fall back to per-instance limits of
 * limit / instances (fail open, documented as inexact). Lease renewals that fail are retried until the TTL; slots are
 * never assumed returned. A LimitSet from the shared store has the same interface as LocalLimitSet: tryAcquire answers
 * from local state (a refusal asks for a new block in the background and answers 429 or, with the wait option, waits
 * for the grant), so the router, the wait queue and the headers do not change.
 */
/**
 * Where limit sets live: {@link LocalLimitStore} keeps them in this process; a shared store (Redis, later) keeps them
 * exact across instances behind the same {@link LimitSet} interface, so callers do not change (see the design note
 * of {@link LocalLimitSet}). Thread-safety: implementations are thread-safe.
 */
public interface LimitStore {

    /**
     * A limit set for {@code key} with {@code spec}. Callers create each key's set once and keep it (a router builds
     * one per deployment at start). A shared store finds the key's counters by it, so two sets must not share a key.
     *
     * @throws IllegalArgumentException when the spec cannot be enforced (see {@link LocalLimitSet#LocalLimitSet})
     */
    LimitSet create(String key, LimitSpec spec);
}
