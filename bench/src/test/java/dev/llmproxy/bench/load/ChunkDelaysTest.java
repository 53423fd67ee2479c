package dev.llmproxy.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Streams as the bench runs them, at 20 ms between chunks: 40 streams started 0.5 ms apart, 20 chunks each, so that
 * every 5 ms bin holds 10 chunks; each chunk arrives 0.3 ms after its send unless the case says otherwise.
 */
class ChunkDelaysTest {

    private static final long MS = 1_000_000L;
    private static final long INTERVAL = 20 * MS;
    private static final long BASE = 1_000 * MS;

    @Test
    void shouldFindNothingLateWhenEveryChunkArrivesAtOnce() {
        ChunkDelays delays = judge(40, (stream, sent) -> sent + MS * 3 / 10);

        assertThat(delays.isStamped()).isTrue();
        assertThat(delays.streams()).isEqualTo(40);
        assertThat(delays.chunks()).isEqualTo(800);
        assertThat(delays.lateChunks()).isZero();
        assertThat(delays.heldStreams()).isZero();
        assertThat(delays.stalls()).isZero();
        assertThat(delays.stalledShare()).isZero();
        assertThat(delays.delayMicros().getValueAtPercentile(50)).isBetween(299L, 301L);
    }

    @Test
    void shouldCallALateChunkHeldWhenTheOtherStreamsKeptTime() {
        // Stream 7's chunk sent at 100 ms comes with its successor, 20 ms later: held back.
        ChunkDelays delays = judge(40, (stream, sent) ->
                stream == 7 && sent == BASE + 7 * MS / 2 + 5 * INTERVAL ? sent + INTERVAL + MS / 10 : sent + MS / 10);

        assertThat(delays.lateChunks()).isEqualTo(1);
        assertThat(delays.heldChunks()).isEqualTo(1);
        assertThat(delays.heldStreams()).isEqualTo(1);
        assertThat(delays.heldAt()).isEqualTo(new ChunkDelays.HeldAt(0, 0, 1));
        assertThat(delays.stalls()).isZero();
    }

    @Test
    void shouldExcuseLateChunksWhenEveryStreamStalledWithThem() {
        // Nothing arrives between 200 and 230 ms: everything sent in that time comes out at 230 ms.
        long stallStart = BASE + 200 * MS;
        long stallEnd = BASE + 230 * MS;
        ChunkDelays delays = judge(40, (stream, sent) ->
                sent >= stallStart && sent < stallEnd ? stallEnd + MS / 10 : sent + MS / 10);

        // Sent from 200 to 220 ms (the 40 chunks of [200, 220) and stream 0's at 220 ms): over 10 ms late.
        assertThat(delays.lateChunks()).isEqualTo(41);
        assertThat(delays.heldChunks()).isZero();
        assertThat(delays.heldStreams()).isZero();
        assertThat(delays.stalls()).isEqualTo(1);
        // The four bins of [200, 220) ms were late; the next one had only stream 0's chunk late, excused beside them.
        assertThat(delays.stalledNanos()).isEqualTo(20 * MS);
        assertThat(delays.longestStallNanos()).isEqualTo(20 * MS);
    }

    @Test
    void shouldExcuseAChunkCaughtAtAStallsEdge() {
        // Stream 3's chunk 10 is sent 0.2 ms before a stall starts, in a bin whose other chunks were all on time.
        long stallStart = BASE + 200 * MS;
        long stallEnd = BASE + 230 * MS;
        long edge = stallStart - 2 * MS / 10;
        ChunkDelays delays = judgeMoving(40, 3, edge, (stream, sent) ->
                sent >= stallStart && sent < stallEnd || sent == edge ? stallEnd + MS / 10 : sent + MS / 10);

        assertThat(delays.lateChunks()).isEqualTo(41);
        assertThat(delays.heldChunks()).isZero();
    }

    @Test
    void shouldExcuseChunksOfAStallBarelyLongerThanHalfAnInterval() {
        // Only the two chunks sent in the stall's first 1.1 ms are over 10 ms late: too few to mark their bin
        // stalled, but nothing sent while they waited got through either.
        long stallStart = BASE + 2016 * MS / 10;
        long stallEnd = BASE + 2126 * MS / 10;
        ChunkDelays delays = judge(40, (stream, sent) ->
                sent >= stallStart && sent < stallEnd ? stallEnd + MS / 10 : sent + MS / 10);

        assertThat(delays.lateChunks()).isEqualTo(2);
        assertThat(delays.heldChunks()).isZero();
        assertThat(delays.stalls()).isZero();
    }

    @Test
    void shouldExcuseLateChunksWhenHalfTheStreamsStalledTogether() {
        // One of the proxy's two event loops, serving the odd streams, stops for 30 ms.
        long stallStart = BASE + 200 * MS;
        long stallEnd = BASE + 230 * MS;
        ChunkDelays delays = judge(40, (stream, sent) ->
                stream % 2 == 1 && sent >= stallStart && sent < stallEnd ? stallEnd + MS / 10 : sent + MS / 10);

        assertThat(delays.lateChunks()).isEqualTo(20);
        assertThat(delays.heldChunks()).isZero();
        assertThat(delays.stalls()).isEqualTo(1);
    }

    @Test
    void shouldExcuseAChunkWhoseSenderStalledAfterStampingIt() {
        // The mock stamps stream 3's chunk at 200 ms, then stops for 30 ms before writing it: nothing else is sent.
        long stamped = BASE + 200 * MS;
        long resumed = BASE + 230 * MS;
        ChunkDelays delays = judgeMoving(40, 3, stamped, (stream, sent) ->
                sent == stamped ? resumed + MS / 10 : sent + MS / 10, stamped, resumed);

        assertThat(delays.lateChunks()).isEqualTo(1);
        assertThat(delays.heldChunks()).isZero();
    }

    @Test
    void shouldCallALateChunkHeldWhenTooFewStreamsRanToSeeAStall() {
        ChunkDelays delays = judge(3, (stream, sent) -> stream == 0 && sent == BASE + 2 * INTERVAL
                ? sent + 15 * MS : sent + MS / 10);

        assertThat(delays.heldChunks()).isEqualTo(1);
        assertThat(delays.heldStreams()).isEqualTo(1);
        assertThat(delays.stalls()).isZero();
    }

    @Test
    void shouldShowAPathThatHoldsEveryChunkAsStalledThroughout() {
        // Each chunk released with the next one: every bin late, so every late chunk excused, but the run is stalled.
        ChunkDelays delays = judge(40, (stream, sent) -> sent + INTERVAL + MS / 10);

        assertThat(delays.lateChunks()).isEqualTo(800);
        assertThat(delays.stalledShare()).isGreaterThan(0.95);
    }

    @Test
    void shouldNotApplyTheRuleToStreamsWithoutSendStamps() {
        ChunkLog log = new ChunkLog();
        StreamProbe probe = new StreamProbe(2, INTERVAL);
        probe.reset(0);
        probe.onEvents(2, 20 * MS);
        log.add(probe);

        ChunkDelays delays = ChunkDelays.of(List.of(log), INTERVAL);

        assertThat(delays.isStamped()).isFalse();
        assertThat(delays.streams()).isEqualTo(1);
        assertThat(delays.chunks()).isZero();
    }

    /** {@code streams} streams of 20 chunks; {@code arrival} gives a chunk's arrival from its stream and send. */
    private static ChunkDelays judge(int streams, LongBinaryOperator arrival) {
        return judgeMoving(streams, -1, 0, arrival);
    }

    /** As {@link #judge}, with stream {@code movedStream}'s chunk 10 sent at {@code movedSend} instead of its slot. */
    private static ChunkDelays judgeMoving(int streams, int movedStream, long movedSend,
            LongBinaryOperator arrival) {
        return judgeMoving(streams, movedStream, movedSend, arrival, 0, 0);
    }

    /** As above, with no chunk but the moved one sent in {@code [pauseStart, pauseEnd)} (the sender stopped). */
    private static ChunkDelays judgeMoving(int streams, int movedStream, long movedSend,
            LongBinaryOperator arrival, long pauseStart, long pauseEnd) {
        // Two lanes, as the bench's load generator has, to show that a stall is judged across them.
        ChunkLog even = new ChunkLog();
        ChunkLog odd = new ChunkLog();
        for (int stream = 0; stream < streams; stream++) {
            StreamProbe probe = new StreamProbe(20, INTERVAL);
            long start = BASE + stream * MS / 2;
            probe.reset(start - INTERVAL);
            for (int k = 0; k < 20; k++) {
                long sent = stream == movedStream && k == 10 ? movedSend : start + k * INTERVAL;
                if (sent >= pauseStart && sent < pauseEnd && !(stream == movedStream && k == 10)) {
                    sent = pauseEnd;
                }
                probe.onEvent(sent, arrival.applyAsLong(stream, sent));
            }
            (stream % 2 == 0 ? even : odd).add(probe);
        }
        return ChunkDelays.of(List.of(even, odd), INTERVAL);
    }
}
