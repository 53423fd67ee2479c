package dev.llmproxy.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.load.OpenLoopResult;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyRunTest {

    @Test
    void shouldAddCountsCpuAndLatenciesWhenSlicesAreMerged() {
        LatencyRun first = new LatencyRun(result(100, 98, 2, 1, 0, 3, 400), 0.5);
        LatencyRun second = new LatencyRun(result(100, 97, 3, 3, 1, 7, 900), 0.25);

        LatencyRun merged = first.plus(second);

        OpenLoopResult r = merged.result();
        assertThat(r.scheduled()).isEqualTo(200);
        assertThat(r.completed()).isEqualTo(195);
        assertThat(r.errors()).isEqualTo(5);
        assertThat(r.rateLimited()).isEqualTo(4);
        assertThat(r.incomplete()).isEqualTo(1);
        assertThat(r.maxBacklog()).isEqualTo(7);
        assertThat(r.latencyMicros().getTotalCount()).isEqualTo(195);
        assertThat(r.latencyMicros().getMaxValue()).isBetween(899L, 901L);
        assertThat(merged.cpuSeconds()).isEqualTo(0.75);
        assertThat(merged.cpuSecondsPer10k()).isEqualTo(0.75 / 195 * 10_000);
    }

    @Test
    void shouldLeaveTheSlicesUntouchedWhenMerged() {
        LatencyRun first = new LatencyRun(result(10, 10, 0, 0, 0, 0, 100), 0.1);
        LatencyRun second = new LatencyRun(result(10, 10, 0, 0, 0, 0, 200), 0.1);

        first.plus(second);

        assertThat(first.result().latencyMicros().getTotalCount()).isEqualTo(10);
        assertThat(second.result().latencyMicros().getTotalCount()).isEqualTo(10);
    }

    @Test
    void shouldNotKnowTheCpuWhenOneSliceDoesNot() {
        LatencyRun known = new LatencyRun(result(10, 10, 0, 0, 0, 0, 100), 0.1);
        LatencyRun unknown = new LatencyRun(result(10, 10, 0, 0, 0, 0, 100), null);

        assertThat(known.plus(unknown).cpuSeconds()).isNull();
        assertThat(unknown.plus(known).cpuSeconds()).isNull();
    }

    private static OpenLoopResult result(long scheduled, long completed, long errors, long rateLimited,
            long incomplete, int backlog, long latencyMicros) {
        Histogram latency = new Histogram(3);
        Histogram service = new Histogram(3);
        for (long i = 0; i < completed; i++) {
            latency.recordValue(latencyMicros);
            service.recordValue(latencyMicros / 2);
        }
        return new OpenLoopResult(2_000, 64, scheduled, completed, errors, rateLimited, incomplete, backlog, latency,
                service);
    }
}
