package dev.llmproxy.bench.load;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A streaming run: {@code streams} concurrent SSE streams, each connection starting its next stream when the previous
 * one ended; start times are staggered over one stream's length. The upstream is expected to send
 * {@code expectedEvents} content events {@code upstreamInterval} apart (plus an optional {@code data: [DONE]}).
 *
 * <p>Per stream (times are those of the socket read that completed an event, i.e. delivered its terminating blank
 * line):
 * <ul>
 *   <li>first-event time: first content event minus request send time;</li>
 *   <li>largest gap: the largest time between two consecutive content events;</li>
 *   <li>unbuffered: all {@code expectedEvents} content events arrived, and no event {@code k} (0-based) arrived
 *       earlier than {@code t0 + (k - extra) * interval - interval / 2}, where {@code t0} is the first event's
 *       arrival and {@code extra} the number of events beyond {@code expectedEvents} (0 for a pass-through stream;
 *       a translated stream may turn one upstream event into two, e.g. a role chunk before the first content).
 *       Events held back and released together (buffering, at any granularity) arrive ahead of that pacing; events
 *       that are merely late (a slow client, server or proxy) do not, and show up in the largest gap instead. Read
 *       coalescing alone is therefore not counted as buffering.</li>
 * </ul>
 */
public record StreamPlan(
        RequestTemplate request,
        int streams,
        int expectedEvents,
        Duration upstreamInterval,
        Duration warmup,
        Duration measure) {

    /** Validates the plan; throws {@link IllegalArgumentException} on a non-positive count, interval or window. */
    public StreamPlan {
        requireNonNull(request, "request");
        requireNonNull(upstreamInterval, "upstreamInterval");
        requireNonNull(warmup, "warmup");
        requireNonNull(measure, "measure");
        Plans.positive("streams", streams);
        Plans.positive("expectedEvents", expectedEvents);
        Plans.positive("upstreamInterval", upstreamInterval.toNanos());
        Plans.window(warmup, measure);
    }
}
