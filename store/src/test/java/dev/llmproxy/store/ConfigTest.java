package dev.llmproxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void shouldDefaultTheBatchIntervalToLiteLlmsProxyBatchWriteAt() {
        assertThat(SpendWriterConfig.of(Path.of("j"), null).batchIntervalMillis()).isEqualTo(10_000);
        assertThat(SpendWriterConfig.of(Path.of("j"), 60).batchIntervalMillis()).isEqualTo(60_000);
    }

    @Test
    void shouldRejectNonsenseSettings() {
        SpendWriterConfig ok = SpendWriterConfig.of(Path.of("j"), null);
        assertThatThrownBy(() -> SpendWriterConfig.of(Path.of("j"), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withQueueCapacity(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withRetryMillis(100, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retryMaxMillis");
        assertThatThrownBy(() -> ok.withCloseTimeoutMillis(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StoreConfig.embedded(Path.of("x")).withConnectionTimeoutMillis(10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyQuery(null, null, null, null, KeyQuery.Sort.SPEND, true, 0, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ListQuery(null, 1, KeyQuery.MAX_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCountPagesAsLiteLlmDoes() {
        assertThat(new Page<>(java.util.List.of(), 0, 1, 10).totalPages()).isZero();
        assertThat(new Page<>(java.util.List.of(), 10, 1, 10).totalPages()).isEqualTo(1);
        assertThat(new Page<>(java.util.List.of(), 11, 1, 10).totalPages()).isEqualTo(2);
    }

    @Test
    void shouldRejectNegativeOrNonFiniteSpend() {
        assertThatThrownBy(() -> SpendRecord.builder("r").spend(-0.5).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpendRecord.builder("r").spend(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpendRecord.builder("").build()).isInstanceOf(IllegalArgumentException.class);
    }
}
