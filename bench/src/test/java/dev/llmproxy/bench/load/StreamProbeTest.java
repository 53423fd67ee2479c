package dev.llmproxy.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamProbeTest {

    private static final long MS = 1_000_000L;

    @Test
    void shouldCallPacedEventsUnbuffered() {
        StreamProbe probe = probe(4);
        for (int k = 0; k < 4; k++) {
            probe.onEvents(1, (100 + 20 * k) * MS);
        }
        assertThat(probe.isUnbuffered()).isTrue();
    }

    @Test
    void shouldToleratePacedEventsWithALeadingRoleChunkInTheSameRead() {
        StreamProbe probe = probe(4);
        probe.onEvents(2, 100 * MS);
        for (int k = 1; k < 4; k++) {
            probe.onEvents(1, (100 + 20 * k) * MS);
        }
        assertThat(probe.isComplete()).isTrue();
        assertThat(probe.isUnbuffered()).isTrue();
    }

    @Test
    void shouldCallEventsReleasedTogetherBuffered() {
        StreamProbe probe = probe(4);
        probe.onEvents(1, 100 * MS);
        probe.onEvents(3, 101 * MS);
        assertThat(probe.isUnbuffered()).isFalse();
    }

    @Test
    void shouldCallAWholeTranslatedStreamInOneReadBufferedDespiteItsExtraEvents() {
        StreamProbe probe = probe(4);
        probe.onEvents(6, 100 * MS);
        assertThat(probe.isUnbuffered()).isFalse();
    }

    /**
     * Why translated Gemini streams scored below Anthropic's (98.7 % against 100 %) in the same run: the upstream sends
     * its first chunk one interval after the head (the mock's default first-chunk delay), and Anthropic's head comes
     * with {@code message_start}, whose role chunk reaches the client at once, while Gemini's role chunk comes with its
     * first content. The probe anchors its pacing on the first event, so a stall of the proxy at a stream's start that
     * bunches the same content events is tolerated up to 1.5 intervals for Gemini and 2.5 for Anthropic.
     */
    @Test
    void shouldCallTheSameStartStallBufferedOnlyWhenTheRoleChunkCameWithTheFirstContent() {
        // 4 content chunks at 20, 40, 60 and 80 ms; the proxy stalls from 10 to 60 ms.
        StreamProbe gemini = probe(4);
        gemini.onEvents(4, 60 * MS);
        gemini.onEvents(2, 80 * MS);
        StreamProbe anthropic = probe(4);
        anthropic.onEvents(1, 0);
        anthropic.onEvents(3, 60 * MS);
        anthropic.onEvents(2, 80 * MS);

        assertThat(gemini.isUnbuffered()).isFalse();
        assertThat(anthropic.isUnbuffered()).isTrue();
    }

    @Test
    void shouldNotCallAShortStreamUnbuffered() {
        StreamProbe probe = probe(4);
        for (int k = 0; k < 3; k++) {
            probe.onEvents(1, (100 + 20 * k) * MS);
        }
        assertThat(probe.isComplete()).isFalse();
        assertThat(probe.isUnbuffered()).isFalse();
    }

    @Test
    void shouldKeepArrivalsBeyondItsInitialCapacity() {
        StreamProbe probe = probe(2);
        for (int k = 0; k < 20; k++) {
            probe.onEvents(1, (100 + 20 * k) * MS);
        }
        assertThat(probe.isUnbuffered()).isTrue();
    }

    private static StreamProbe probe(int expected) {
        StreamProbe probe = new StreamProbe(expected, 20 * MS);
        probe.reset(90 * MS);
        return probe;
    }
}
