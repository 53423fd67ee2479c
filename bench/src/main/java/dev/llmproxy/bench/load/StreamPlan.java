package dev.llmproxy.bench.load;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A streaming run: {@code streams} concurrent SSE streams, each connection starting its next stream when the previous
 * one ended; start times are staggered over one stream's length. The upstream is expected to send
 * {@code expectedEvents} content events {@code upstreamInterval} apart; the events of {@code shape} that carry no
 * content (a role chunk, a finish chunk, Anthropic's {@code message_start}, the Responses API's
 * {@code response.created} and the like, and {@code data: [DONE]}) are not timed.
 *
 * <p>Per stream (times are those of the socket read that completed an event, i.e. delivered its terminating blank
 * line):
 * <ul>
 *   <li>first-event time: first content event minus request send time;</li>
 *   <li>largest gap: the largest time between two consecutive content events;</li>
 *   <li>unbuffered: all {@code expectedEvents} content events arrived and, when the upstream stamped them with their
 *       send times (the bench's mock does), none was held: {@link ChunkDelays} has the rule, which tells a chunk held
 *       back from one late in a machine stall by whether the other streams' chunks were late with it. Without
 *       stamps, the paced rule below decides;</li>
 *   <li>paced: all {@code expectedEvents} content events arrived, and no content event {@code k} (0-based)
 *       arrived earlier than {@code t0 + (k - extra) * interval - interval / 2}, where {@code t0} is the first
 *       content event's arrival and {@code extra} the number of content events beyond {@code expectedEvents} (0 when
 *       the proxy keeps the upstream's chunking). Events held back and released together (buffering, at any
 *       granularity) arrive ahead of that pacing; events that are merely late do not, and show up in the largest
 *       gap instead, except at the first content event: a stall there makes the events after it look early.</li>
 * </ul>
 *
 * <p>Why the first content event: the mock paces content alone (its first content chunk one interval after the
 * response head, the next ones one interval apart), while the events around it come when the format puts them. An
 * Anthropic stream's {@code message_start} (and the role chunk a translated stream makes of it) arrives with the head,
 * one interval before any content; a Gemini stream's role chunk comes with its first content; a Responses stream
 * opens with four events. Anchored on whichever event came first, the same stall at a stream's start was forgiven up
 * to 2.5 intervals for Anthropic and 1.5 for Gemini (more still for Responses). Anchored on the first content event,
 * every shape is held to the same rule. An anchor at the send time plus the mock's first-chunk delay would be as fair
 * but blind: nothing ever arrives ahead of a schedule the upstream itself keeps, so only a late first event, i.e. a
 * stall, not buffering, could be seen against it.
 */
public record StreamPlan(
        RequestTemplate request,
        StreamShape shape,
        int streams,
        int expectedEvents,
        Duration upstreamInterval,
        Duration warmup,
        Duration measure) {

    /** Validates the plan; throws {@link IllegalArgumentException} on a non-positive count, interval or window. */
    public StreamPlan {
        requireNonNull(request, "request");
        requireNonNull(shape, "shape");
        requireNonNull(upstreamInterval, "upstreamInterval");
        requireNonNull(warmup, "warmup");
        requireNonNull(measure, "measure");
        Plans.positive("streams", streams);
        Plans.positive("expectedEvents", expectedEvents);
        Plans.positive("upstreamInterval", upstreamInterval.toNanos());
        Plans.window(warmup, measure);
    }
}
