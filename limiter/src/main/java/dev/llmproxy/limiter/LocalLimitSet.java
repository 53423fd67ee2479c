package dev.llmproxy.limiter;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/*
 * Implementation notes.
 *
 * Algorithm. Fixed calendar windows, counted exactly. The state of a set is its current Window: an immutable object
 * naming when it ends (the end of its minute, the end of its day) holding two words that change by compare-and-set
 * (all through CasLoop.apply):
 *
 *   requests  [SEALED:1][requests this minute][requests this day][calls in flight]   (each field only if its limit is
 *             set, each as wide as its limit needs: a field never exceeds its limit, because a call is admitted only
 *             while every field is below its limit)
 *   tokens    [SEALED:1][tokens charged this minute, saturating at Long.MAX_VALUE]
 *
 * Admission is one CAS on the requests word: if every field is below its limit, add one to each (minute, day, in
 * flight) at once; otherwise change nothing. So admission against several limits is all-or-nothing without rollback,
 * and a refused call takes nothing from anyone. Before that CAS the tokens word is read: a call is admitted only if
 * the tokens charged in the current minute are below tokens-per-minute. Release takes one from "in flight" and adds
 * the call's tokens to the tokens word (two separate CASes: neither can refuse).
 *
 * Window edges. Windows are half-open [start, end) in epoch milliseconds of the caller's wall clock: a minute is
 * [k * 60 000, (k + 1) * 60 000) (UTC calendar minutes, LiteLLM's HH-MM keys), a day runs from midnight to midnight in
 * the spec's zone, computed with java.time so a DST day lasts 23 or 25 hours. The last millisecond of a minute still
 * counts against that minute; the first of the next one finds a fresh window. The first operation at or after a
 * window's end rolls it:
 *   1. seal the requests word and the tokens word (set the top bit by CAS; a sealed word never changes again, so
 *      every CAS still in flight on the old window fails and its thread starts over on the new one);
 *   2. build the successor from the sealed values: calls in flight carry over; the day's count carries over while
 *      the day has not ended; minute counts and tokens carry over only while the minute has not ended (a window ends
 *      at its earliest limit's end, so this is a day ending mid-minute, which no current zone does);
 *   3. CAS the current reference from the old window to the successor. Any thread that finds a sealed word helps:
 *      it builds a successor from the same sealed values and tries the same CAS, so no thread waits for another
 *      (lock-free); the losers' successors are garbage.
 * A clock that steps back is not followed: a window is left only when the time reaches its end, so counts are never
 * reset early (a refusal's wait then includes the step).
 *
 * Exactness. Requests per minute and per day: in every window, the number of admitted calls never exceeds the limit
 * and a call is refused only when the window's count has reached it (a refused call is refused for a reason that held
 * at its linearization point, the CAS or the read that saw the full word). Parallel calls: admitted minus released
 * never exceeds the limit. Tokens per minute are charged when a call ends, from the usage it reports, to the minute in
 * which it ends; nothing is reserved at admission (no estimate). So every reported token is counted exactly once, and
 * a call is admitted only if the tokens charged to the current minute are below the limit when it is admitted; what
 * a minute may overshoot is bounded by the tokens of the calls admitted in it before their usage came back (the same
 * rule as LiteLLM's, which counts tokens after the response). A later estimate (from max_tokens, say) would be
 * charged at admission in the same CAS and reconciled at release; the word layout leaves room for it.
 *
 * Memory (64-bit JVM, compressed references). One set is the LocalLimitSet with its two bound method references
 * (about 120 bytes), its AtomicReference (16) and the current Window with its two AtomicLongs (96): about 230
 * bytes, whatever its limits, plus the LimitSpec it shares with its creator. Rolling allocates one Window (96 bytes)
 * per window per set, i.e. at most once a minute when a minute limit is set, once a day for rpd alone, never for
 * max_parallel_requests alone; admission, release and refusal allocate nothing.
 *
 * Measured (LocalLimitSetBenchmark, `java -cp bench/target/llmproxy-bench.jar org.openjdk.jmh.Main
 * LocalLimitSetBenchmark -prof gc -f 1 -wi 3 -w 2s -i 5 -r 2s`, JDK 17, 2 cores under a load average of 9 from other
 * builds, so only the orders of magnitude hold): admit + release 30 ns with rpm alone (one CAS; an uncontended
 * AtomicLong.incrementAndGet took 20 ns in the same run), 92 ns with all four limits (three CASes), a refusal 16 ns;
 * two threads on one set 81 ns and 278 ns; gc.alloc.rate.norm at most 0.001 B/op (the one window roll per iteration).
 *
 * A shared backend (Redis, for several instances) replaces this class behind LimitSet and LimitStore; the router does
 * not change. How it stays exact across instances is written down in LimitStore's notes: each instance admits with
 * this algorithm against slots it leased from Redis, so the admit path stays local and lock-free.
 */
/**
 * A {@link LimitSet} kept in this process: requests per calendar minute and per day, tokens per minute and calls in
 * flight, admitted all-or-nothing with one compare-and-set and no lock.
 *
 * <p>Thread-safety: thread-safe and lock-free; {@link #tryAcquire}, {@link #release} and refusals allocate nothing
 * (a window roll allocates one small object, at most once per window).
 */
public final class LocalLimitSet implements LimitSet {

    static final long MINUTE_MILLIS = 60_000;

    private final LimitSpec spec;
    private final ZoneId dayZone;
    private final boolean minuteWindows;
    private final boolean dayWindows;

    // The requests word: each field's shift and mask (0 when its limit is absent), and what one admission adds.
    private final int minuteShift;
    private final long minuteMask;
    private final int dayShift;
    private final long dayMask;
    private final long parallelMask;
    private final long admitIncrement;

    // The steps given to CasLoop, made once so that no call allocates a lambda.
    private final CasLoop.Step admitStep = this::admitted;
    private final CasLoop.Step releaseStep = this::released;
    private final CasLoop.Step chargeStep = LocalLimitSet::charged;
    private final CasLoop.Step sealStep = LocalLimitSet::sealed;

    /** Written by whichever thread rolls the window (CAS); read by every thread. */
    private final AtomicReference<Window> current;

    /**
     * A set enforcing {@code spec}.
     *
     * @throws IllegalArgumentException when the request limits together need more than 63 bits (for example requests
     *     per minute and per day both above two billion)
     */
    public LocalLimitSet(LimitSpec spec) {
        this.spec = requireNonNull(spec, "spec");
        this.dayZone = spec.dayZone();
        this.minuteWindows = spec.requestsPerMinute() != LimitSpec.NONE || spec.tokensPerMinute() != LimitSpec.NONE;
        this.dayWindows = spec.requestsPerDay() != LimitSpec.NONE;
        int parallelBits = bits(spec.maxParallelRequests());
        int dayBits = bits(spec.requestsPerDay());
        int minuteBits = bits(spec.requestsPerMinute());
        if (parallelBits + dayBits + minuteBits > 63) {
            throw new IllegalArgumentException("limits: " + spec + " (expected: the request limits to fit in 63 bits"
                    + " together, e.g. rpm and rpd below 2^31)");
        }
        this.parallelMask = mask(parallelBits);
        this.dayShift = parallelBits;
        this.dayMask = mask(dayBits);
        this.minuteShift = parallelBits + dayBits;
        this.minuteMask = mask(minuteBits);
        this.admitIncrement = (spec.maxParallelRequests() != LimitSpec.NONE ? 1L : 0)
                + (spec.requestsPerDay() != LimitSpec.NONE ? 1L << dayShift : 0)
                + (spec.requestsPerMinute() != LimitSpec.NONE ? 1L << minuteShift : 0);
        long minuteEnd = minuteWindows ? Long.MIN_VALUE : Long.MAX_VALUE;
        long dayEnd = dayWindows ? Long.MIN_VALUE : Long.MAX_VALUE;
        this.current = new AtomicReference<>(new Window(minuteEnd, dayEnd, 0, 0));
    }

    @Override
    public long tryAcquire(long nowMillis) {
        for (;;) {
            Window window = window(nowMillis);
            long tokens = window.tokens.get();
            if (tokens < 0) {
                roll(window, nowMillis);
                continue;
            }
            if (tokensFull(tokens)) {
                long requests = window.requests.get();
                if (requests < 0) {
                    roll(window, nowMillis);
                    continue;
                }
                return waitMillis(window, requests, tokens, nowMillis);
            }
            long seen = CasLoop.apply(window.requests, admitStep, 0);
            if (seen < 0) {
                roll(window, nowMillis);
                continue;
            }
            return isFull(seen) ? waitMillis(window, seen, tokens, nowMillis) : ADMITTED;
        }
    }

    @Override
    public void release(long nowMillis, long tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens: " + tokens + " (expected: >= 0)");
        }
        if (parallelMask != 0) {
            apply(nowMillis, releaseStep, false, 0);
        }
        if (spec.tokensPerMinute() != LimitSpec.NONE && tokens > 0) {
            apply(nowMillis, chargeStep, true, tokens);
        }
    }

    @Override
    public long retryAfterMillis(long nowMillis) {
        for (;;) {
            Window window = window(nowMillis);
            long tokens = window.tokens.get();
            long requests = window.requests.get();
            if (tokens < 0 || requests < 0) {
                roll(window, nowMillis);
                continue;
            }
            return isFull(requests) || tokensFull(tokens) ? waitMillis(window, requests, tokens, nowMillis) : 0;
        }
    }

    @Override
    public long minuteRequests(long nowMillis) {
        if (spec.requestsPerMinute() == LimitSpec.NONE) {
            return 0;
        }
        for (;;) {
            Window window = window(nowMillis);
            long requests = window.requests.get();
            if (requests >= 0) {
                return (requests >>> minuteShift) & minuteMask;
            }
            roll(window, nowMillis);
        }
    }

    @Override
    public long minuteTokens(long nowMillis) {
        if (spec.tokensPerMinute() == LimitSpec.NONE) {
            return 0;
        }
        for (;;) {
            Window window = window(nowMillis);
            long tokens = window.tokens.get();
            if (tokens >= 0) {
                return tokens;
            }
            roll(window, nowMillis);
        }
    }

    @Override
    public LimitSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return "LocalLimitSet[" + spec + ']';
    }

    /** Applies {@code step} to the current window's requests or tokens word, moving on when the window closes. */
    private void apply(long nowMillis, CasLoop.Step step, boolean tokens, long arg) {
        for (;;) {
            Window window = window(nowMillis);
            if (CasLoop.apply(tokens ? window.tokens : window.requests, step, arg) >= 0) {
                return;
            }
            roll(window, nowMillis);
        }
    }

    /** The installed window; never null, the constructor installs the first. */
    private Window currentWindow() {
        return requireNonNull(current.get());
    }

    /** The window that {@code nowMillis} falls in, or a later one when another thread's clock was ahead. */
    private Window window(long nowMillis) {
        Window window = currentWindow();
        while (nowMillis >= window.endMillis) {
            roll(window, nowMillis);
            window = currentWindow();
        }
        return window;
    }

    /** Closes {@code old} and installs its successor, unless another thread already did (steps 1-3 of the notes). */
    private void roll(Window old, long nowMillis) {
        if (current.get() != old) {
            return;
        }
        long requests = CasLoop.apply(old.requests, sealStep, 0) & ~CasLoop.SEALED;
        long tokens = CasLoop.apply(old.tokens, sealStep, 0) & ~CasLoop.SEALED;
        long at = Math.max(nowMillis, old.endMillis);
        long minuteEnd = old.minuteEndMillis;
        long dayEnd = old.dayEndMillis;
        long carried = requests & parallelMask;
        long carriedTokens = 0;
        if (minuteWindows) {
            if (at < minuteEnd) {
                carried |= requests & (minuteMask << minuteShift);
                carriedTokens = tokens;
            } else {
                minuteEnd = minuteEnd(at);
            }
        }
        if (dayWindows) {
            if (at < dayEnd) {
                carried |= requests & (dayMask << dayShift);
            } else {
                dayEnd = dayEnd(at);
            }
        }
        current.compareAndSet(old, new Window(minuteEnd, dayEnd, carried, carriedTokens));
    }

    private long admitted(long word, long unused) {
        return isFull(word) ? word : word + admitIncrement;
    }

    /** One call fewer in flight; the in-flight field is the lowest, so that is the word minus one. */
    private long released(long word, long unused) {
        if ((word & parallelMask) == 0) {
            throw new IllegalStateException("released more calls than were admitted: " + spec);
        }
        return word - 1;
    }

    private static long charged(long word, long tokens) {
        return tokens >= Long.MAX_VALUE - word ? Long.MAX_VALUE : word + tokens;
    }

    private static long sealed(long word, long unused) {
        return word | CasLoop.SEALED;
    }

    private boolean isFull(long requests) {
        return spec.requestsPerMinute() != LimitSpec.NONE
                        && ((requests >>> minuteShift) & minuteMask) >= spec.requestsPerMinute()
                || spec.requestsPerDay() != LimitSpec.NONE
                        && ((requests >>> dayShift) & dayMask) >= spec.requestsPerDay()
                || spec.maxParallelRequests() != LimitSpec.NONE
                        && (requests & parallelMask) >= spec.maxParallelRequests();
    }

    private boolean tokensFull(long tokens) {
        return spec.tokensPerMinute() != LimitSpec.NONE && tokens >= spec.tokensPerMinute();
    }

    /** How long a call refused in {@code window} waits: until every limit that is full has reset; at least 1 ms. */
    private long waitMillis(Window window, long requests, long tokens, long nowMillis) {
        long wait = 1;
        if (spec.requestsPerMinute() != LimitSpec.NONE
                && ((requests >>> minuteShift) & minuteMask) >= spec.requestsPerMinute() || tokensFull(tokens)) {
            wait = Math.max(wait, window.minuteEndMillis - nowMillis);
        }
        if (spec.requestsPerDay() != LimitSpec.NONE && ((requests >>> dayShift) & dayMask) >= spec.requestsPerDay()) {
            wait = Math.max(wait, window.dayEndMillis - nowMillis);
        }
        if (spec.maxParallelRequests() != LimitSpec.NONE && (requests & parallelMask) >= spec.maxParallelRequests()) {
            wait = Math.max(wait, PARALLEL_RETRY_MILLIS);
        }
        return wait;
    }

    /** The end of the calendar minute holding {@code millis}; saturates instead of overflowing. */
    static long minuteEnd(long millis) {
        long minute = Math.floorDiv(millis, MINUTE_MILLIS);
        return minute >= Long.MAX_VALUE / MINUTE_MILLIS - 1 ? Long.MAX_VALUE : (minute + 1) * MINUTE_MILLIS;
    }

    /** The next midnight in the day zone after {@code millis} (the first instant of the next day, DST included). */
    private long dayEnd(long millis) {
        return Instant.ofEpochMilli(millis).atZone(dayZone).toLocalDate().plusDays(1).atStartOfDay(dayZone)
                .toInstant().toEpochMilli();
    }

    private static int bits(long limit) {
        return limit == LimitSpec.NONE ? 0 : 64 - Long.numberOfLeadingZeros(limit);
    }

    private static long mask(int bits) {
        return bits == 0 ? 0 : -1L >>> (64 - bits);
    }

    /** One window of a set: when it ends and its two words. Immutable apart from the words. */
    private static final class Window {
        final long minuteEndMillis;
        final long dayEndMillis;
        final long endMillis;
        final AtomicLong requests;
        final AtomicLong tokens;

        Window(long minuteEndMillis, long dayEndMillis, long requests, long tokens) {
            this.minuteEndMillis = minuteEndMillis;
            this.dayEndMillis = dayEndMillis;
            this.endMillis = Math.min(minuteEndMillis, dayEndMillis);
            this.requests = new AtomicLong(requests);
            this.tokens = new AtomicLong(tokens);
        }
    }
}
