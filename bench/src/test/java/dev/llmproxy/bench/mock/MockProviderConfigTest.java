package dev.llmproxy.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MockProviderConfigTest {

    @Test
    void shouldUseBenchmarkFriendlyDefaultsWhenNothingIsSet() {
        MockProviderConfig config = MockProviderConfig.defaults();

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isZero();
        assertThat(config.eventLoopThreads()).isEqualTo(1);
        assertThat(config.tls()).isFalse();
        assertThat(config.streamChunks()).isEqualTo(20);
        assertThat(config.streamChunkIntervalMillis()).isEqualTo(20);
        assertThat(config.recordRequests()).isFalse();
        assertThat(config.toBuilder().build()).isEqualTo(config);
    }

    @Test
    void shouldRejectConfigWhenValueIsOutOfRange() {
        assertThatThrownBy(() -> MockProviderConfig.builder().eventLoopThreads(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("eventLoopThreads: 0 (expected: > 0)");
        assertThatThrownBy(() -> MockProviderConfig.builder().port(70000).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MockProviderConfig.builder().streamChunkIntervalMillis(-1).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldFailToStartWhenPortIsTaken() {
        try (MockProvider first = MockProvider.start(MockProviderConfig.defaults())) {
            MockProviderConfig taken = MockProviderConfig.builder().port(first.port()).build();

            assertThatThrownBy(() -> MockProvider.start(taken)).isInstanceOf(IllegalStateException.class);
        }
    }
}
