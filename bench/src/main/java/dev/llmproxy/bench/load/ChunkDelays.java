package dev.llmproxy.bench.load;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * How long the content chunks of a streaming run took from the upstream's send (the mock's stamp) to the client,
 * and which of them were held back. Timing alone cannot tell a chunk the proxy held from one that was late because
 * the machine stalled (a process descheduled, a collection, the client itself paused): both arrive after the next
 * chunk was due. What tells them apart is everyone else: while a held chunk waits, the other streams' chunks keep
 * flowing; while a stall lasts, nothing sent on the stalled path gets through.
 *
 * <p>The rule: a chunk is <em>late</em> when it arrived more than half an upstream interval (L) after it was sent.
 * Time is cut into bins of a quarter interval by send time, and a bin is <em>stalled</em> when at least a quarter of
 * its chunks (at least {@value #MIN_PEERS}) were late. A late chunk is the stall's when it was sent in a stalled bin,
 * in the two intervals after one (while the path drains its backlog, new chunks may pass queued ones), or while it
 * waited. Otherwise it is <em>held</em> when, of the other streams' chunks sent while it waited (from its send until
 * L before its arrival, at least L/2 long), at least three quarters got through within L/2 of their own send. When
 * fewer than {@value #MIN_PEERS} were sent in that time, the run's send rate decides: if it should have sent twice as
 * many, the sender itself stalled (the mock takes the stamp just before its write) and the chunk is not held; if the
 * run has too few streams to tell, it is. A stream with a held chunk is <em>buffered</em>. A proxy that held every
 * stream's chunks would pass as one long stall: {@link #stalledShare()} shows it, and the bench's check fails on it.
 *
 * @param streams complete streams judged
 * @param stampedStreams of those, the ones whose chunks carried send stamps
 * @param heldStreams streams with at least one held chunk
 * @param chunks stamped chunks judged
 * @param lateChunks chunks that arrived more than half an interval after their send
 * @param heldChunks late chunks outside any stall
 * @param stalls runs of consecutive stalled bins
 * @param stalledNanos time covered by stalled bins
 * @param longestStallNanos the longest run of stalled bins
 * @param spanNanos from the first chunk's send to the last one's
 * @param delayMicros each chunk's time from send to arrival, microseconds; owned by the caller
 * @param heldAt where the held chunks were: the first content chunk, the last, or one between (for finding a cause)
 */
public record ChunkDelays(
        long streams,
        long stampedStreams,
        long heldStreams,
        long chunks,
        long lateChunks,
        long heldChunks,
        int stalls,
        long stalledNanos,
        long longestStallNanos,
        long spanNanos,
        Histogram delayMicros,
        HeldAt heldAt) {

    /** How many held chunks were their stream's first content chunk, its last, and any other. */
    public record HeldAt(long first, long last, long between) {
        public static final HeldAt NONE = new HeldAt(0, 0, 0);
    }

    /** Fewest other chunks in a bin for its late share to say anything. */
    static final int MIN_PEERS = 8;
    /**
     * Bins (two intervals) after a stalled one in which a late chunk is the stall's: the path drains its backlog
     * then, and new chunks may pass chunks still queued.
     */
    static final int WAKE_BINS = 8;

    /** Whether every complete stream carried send stamps, so that the held-chunk rule applies. */
    public boolean isStamped() {
        return streams > 0 && stampedStreams == streams;
    }

    /** Stalled time over the time the chunks were sent in; 0 when nothing was sent. */
    public double stalledShare() {
        return spanNanos <= 0 ? 0 : (double) stalledNanos / spanNanos;
    }

    /** Judges the chunks of all lanes' logs together (a stall is seen across lanes). */
    static ChunkDelays of(List<ChunkLog> logs, long intervalNanos) {
        long lateNanos = intervalNanos / 2;
        long binNanos = Math.max(1, intervalNanos / 4);
        int chunks = 0;
        long streams = 0;
        long stampedStreams = 0;
        for (ChunkLog log : logs) {
            streams += log.streams();
            stampedStreams += log.stampedStreams();
            chunks += log.size();
        }
        Histogram delays = Histograms.newMicros();
        if (chunks == 0) {
            return new ChunkDelays(streams, stampedStreams, 0, 0, 0, 0, 0, 0, 0, 0, delays, HeldAt.NONE);
        }
        // All chunks in send order: owners numbered across logs.
        long[] sent = new long[chunks];
        long[] arrived = new long[chunks];
        int[] owner = new int[chunks];
        int[] index = new int[chunks];
        Integer[] order = new Integer[chunks];
        int n = 0;
        int ownerBase = 0;
        for (ChunkLog log : logs) {
            for (int i = 0; i < log.size(); i++, n++) {
                sent[n] = log.sent(i);
                arrived[n] = log.arrival(i);
                owner[n] = ownerBase + log.streamOf(i);
                index[n] = log.indexOf(i);
                order[n] = n;
            }
            ownerBase += log.streams();
        }
        int[] lengths = new int[ownerBase];
        for (int i = 0; i < chunks; i++) {
            lengths[owner[i]] = Math.max(lengths[owner[i]], index[i] + 1);
        }
        Arrays.sort(order, Comparator.comparingLong(i -> sent[i]));
        long first = sent[order[0]];
        long last = sent[order[chunks - 1]];
        int bins = (int) ((last - first) / binNanos) + 1;
        double sendsPerNano = last > first ? (double) chunks / (last - first) : 0;
        int[] total = new int[bins];
        int[] late = new int[bins];
        long lateChunks = 0;
        for (int at = 0; at < chunks; at++) {
            int c = order[at];
            long delay = Math.max(0, arrived[c] - sent[c]);
            Histograms.recordNanos(delays, delay);
            int bin = (int) ((sent[c] - first) / binNanos);
            total[bin]++;
            if (delay > lateNanos) {
                late[bin]++;
                lateChunks++;
            }
        }
        // stalledBefore[b]: stalled bins among 0..b-1, so that any stall in a range is one subtraction.
        int[] stalledBefore = new int[bins + 1];
        for (int bin = 0; bin < bins; bin++) {
            stalledBefore[bin + 1] = stalledBefore[bin] + (isStalled(late[bin], total[bin]) ? 1 : 0);
        }
        long heldChunks = 0;
        boolean[] held = new boolean[ownerBase];
        long heldStreams = 0;
        long heldFirst = 0;
        long heldLast = 0;
        for (int at = 0; at < chunks; at++) {
            int c = order[at];
            long delay = Math.max(0, arrived[c] - sent[c]);
            if (delay <= lateNanos) {
                continue;
            }
            long waited = Math.max(lateNanos / 2, delay - lateNanos);
            int from = Math.max(0, (int) ((sent[c] - first) / binNanos) - WAKE_BINS);
            int to = Math.min(bins, (int) ((sent[c] + waited - first) / binNanos) + 1);
            if (stalledBefore[to] - stalledBefore[from] > 0) {
                continue;
            }
            if (isHeld(at, order, sent, arrived, owner, waited, lateNanos, sendsPerNano)) {
                heldChunks++;
                if (index[c] == 0) {
                    heldFirst++;
                } else if (index[c] == lengths[owner[c]] - 1) {
                    heldLast++;
                }
                if (!held[owner[c]]) {
                    held[owner[c]] = true;
                    heldStreams++;
                }
            }
        }
        int stalls = 0;
        int stalledBins = 0;
        int run = 0;
        int longest = 0;
        for (int bin = 0; bin < bins; bin++) {
            if (isStalled(late[bin], total[bin])) {
                stalledBins++;
                if (run++ == 0) {
                    stalls++;
                }
                longest = Math.max(longest, run);
            } else {
                run = 0;
            }
        }
        return new ChunkDelays(streams, stampedStreams, heldStreams, chunks, lateChunks, heldChunks, stalls,
                stalledBins * binNanos, longest * binNanos, last - first, delays,
                new HeldAt(heldFirst, heldLast, heldChunks - heldFirst - heldLast));
    }

    /** Whether the late chunk at {@code at} (in send order) waited while the other streams' chunks got through. */
    private static boolean isHeld(int at, Integer[] order, long[] sent, long[] arrived, int[] owner, long waited,
            long lateNanos, double sendsPerNano) {
        int c = order[at];
        long until = sent[c] + waited;
        int peers = 0;
        int through = 0;
        for (int j = at + 1; j < order.length && sent[order[j]] <= until; j++) {
            int p = order[j];
            if (owner[p] == owner[c]) {
                continue;
            }
            peers++;
            if (arrived[p] - sent[p] <= lateNanos / 2) {
                through++;
            }
        }
        if (peers >= MIN_PEERS) {
            return through * 4 >= peers * 3;
        }
        return sendsPerNano * waited < 2 * MIN_PEERS;
    }

    private static boolean isStalled(int late, int total) {
        return total >= MIN_PEERS && late * 4 >= total;
    }
}
