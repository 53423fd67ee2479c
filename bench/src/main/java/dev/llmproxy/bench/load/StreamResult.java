package dev.llmproxy.bench.load;

import org.HdrHistogram.Histogram;

/**
 * The outcome of a {@link StreamPlan} (see there for the definitions). Of the streams started in the measurement
 * window, {@code completed} ended with a 2xx response, {@code unbuffered} of those were complete and delivered
 * unbuffered (no chunk held, by {@link ChunkDelays}' rule when the chunks carried send stamps, else paced),
 * {@code paced} were complete and kept the upstream's pacing as {@link StreamPlan} defines it, {@code shortStreams}
 * had fewer content events than expected, {@code errors} got another status or lost their connection and {@code
 * incomplete} had not ended at the drain deadline. Histograms (microseconds, one value per completed stream with at
 * least one event) belong to the caller.
 */
public record StreamResult(
        int streams,
        long completed,
        long unbuffered,
        long paced,
        long shortStreams,
        long errors,
        long incomplete,
        int maxEventsPerRead,
        Histogram firstEventMicros,
        Histogram largestGapMicros,
        ChunkDelays delays) {

    /** Paced streams over all streams started in the window; 0 if none. */
    public double pacedShare() {
        long all = completed + errors + incomplete;
        return all == 0 ? 0 : (double) paced / all;
    }

    /** Unbuffered streams over all streams started in the window (completed, failed or incomplete); 0 if none. */
    public double unbufferedShare() {
        long all = completed + errors + incomplete;
        return all == 0 ? 0 : (double) unbuffered / all;
    }
}
