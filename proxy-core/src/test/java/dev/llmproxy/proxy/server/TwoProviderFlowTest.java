package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.tuple;

import dev.llmproxy.bench.mock.MockProvider;
import dev.llmproxy.bench.mock.MockProviderConfig;
import dev.llmproxy.proxy.call.CallRecord;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flows of one call over several deployments (retries, fallbacks): two mock providers, {@code first} (faults as each
 * test sets them) and {@code second} (recording the requests it gets), and a proxy over both, started by each test with
 * its own settings after the subclass's model list.
 */
abstract class TwoProviderFlowTest {
    @TempDir
    Path dir;

    MockProvider first;
    MockProvider second;
    ProxyFixture proxy;

    /** The {@code model_list} section, with {@code %1$s} and {@code %2$s} for the two providers' base URLs. */
    abstract String models();

    @BeforeEach
    void startProviders() {
        first = MockProvider.start(MockProviderConfig.defaults());
        second = MockProvider.start(MockProviderConfig.builder().recordRequests(true).build());
    }

    @AfterEach
    void stopAll() {
        if (proxy != null) {
            proxy.close();
        }
        first.close();
        second.close();
    }

    /** Starts the proxy on the model list followed by {@code settings} (YAML sections). */
    void start(String settings) {
        proxy = ProxyFixture.start(dir, models().formatted(first.baseUrl(), second.baseUrl()) + settings);
    }

    /** Each attempt of {@code record} as (deployment id, status). */
    static List<Tuple> attempts(CallRecord record) {
        return record.attempts().stream().map(a -> tuple(a.deploymentId(), a.status())).toList();
    }
}
