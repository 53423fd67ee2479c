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
