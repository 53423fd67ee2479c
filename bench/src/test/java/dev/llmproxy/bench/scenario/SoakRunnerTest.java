package dev.llmproxy.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.bench.load.LoadGenerator;
import dev.llmproxy.bench.load.LoadGeneratorConfig;
import dev.llmproxy.bench.load.ProcessStats;
import dev.llmproxy.bench.load.Ticker;
import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A short soak against the mock itself: every kind of traffic runs, faults fail, aborts happen, RSS is read. */
class SoakRunnerTest {

    @Test
    void shouldRunEveryKindAndSampleRssWhenSoakingTheMock() {
        MockProviderConfig config = MockProviderConfig.builder().streamChunks(3).streamChunkIntervalMillis(0).build();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try (MockProvider mock = MockProvider.start(config);
                LoadGenerator generator = LoadGenerator.start(
                        new LoadGeneratorConfig(1, Duration.ofSeconds(5), Ticker.system()))) {
            ProcessStats self = ProcessStats.isSupported() ? ProcessStats.of(ProcessHandle.current().pid()) : null;
            Target target = new Target("mock", new InetSocketAddress(InetAddress.getLoopbackAddress(), mock.port()),
                    "mock-model", self);
            // One round of 1.5 s: each kind runs for 300 ms, so that a busy machine's stall cannot leave one kind
            // with nothing done (the round is what the assertions need; its length is not what is tested).
            SoakRunner.Options options = new SoakRunner.Options(Duration.ofMillis(1), Duration.ofMillis(1500),
                    Duration.ofMillis(200), Duration.ofMillis(100), 2);

            SoakRunner.Result result = new SoakRunner(generator, target, options,
                    new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

            assertThat(result.completed().get(SoakRunner.Kind.CHAT)).isPositive();
            assertThat(result.completed().get(SoakRunner.Kind.STREAM)).isPositive();
            assertThat(result.failed().get(SoakRunner.Kind.PROVIDER_500)).isPositive();
            assertThat(result.completed().get(SoakRunner.Kind.PROVIDER_500)).isZero();
            assertThat(result.clientAborts()).isPositive();
            if (self != null) {
                assertThat(result.samples()).extracting(SoakRunner.Sample::phase).contains("load", "idle");
                assertThat(result.samples()).allSatisfy(sample -> assertThat(sample.rssBytes()).isPositive());
            }
            assertThat(SoakRunner.markdown(result, 0)).contains("| provider_500 | 0 |").contains("leak reports");
            assertThat(progress.toString(StandardCharsets.UTF_8)).contains("[soak] round 1");
        }
    }
}
