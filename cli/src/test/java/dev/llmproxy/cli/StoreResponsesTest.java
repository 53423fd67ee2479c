package dev.llmproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.server.BridgedResponses;
import dev.llmproxy.store.BudgetDuration;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoreConfig;
import dev.llmproxy.store.StoredResponse;
import dev.llmproxy.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kept bridged responses on the embedded store: kept with their owner for the retention period, then neither found
 * nor kept once the sweep ran; the period read from {@code general_settings}.
 */
class StoreResponsesTest {
    private static final Instant T0 = Instant.parse("2026-12-02T04:00:00Z");

    @TempDir
    Path dir;

    @Test
    void shouldKeepATurnWithItsOwnerForTheRetentionPeriodAndSweepItAfterwards() {
        SettableClock clock = new SettableClock();
        try (Store store = Stores.open(StoreConfig.embedded(dir.resolve("db")), clock)) {
            StoreResponses responses = new StoreResponses(store.responses(), Runnable::run,
                    new BudgetDuration(12, BudgetDuration.Unit.HOURS), clock);
            BridgedResponses.Owner ada = new BridgedResponses.Owner("hash-ada", "ada", null);
            responses.save("resp_1", ada, "claude", "[]", "{}").toCompletableFuture().join();

            StoredResponse row = store.responses().find("resp_1").orElseThrow();
            assertThat(row.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(12)));
            assertThat(responses.find("resp_1").toCompletableFuture().join().orElseThrow().owner()).isEqualTo(ada);

            clock.now = T0.plus(Duration.ofHours(12));
            assertThat(responses.find("resp_1").toCompletableFuture().join()).isEmpty();
            responses.sweep();
            assertThat(store.responses().deleteExpired()).as("the sweep deleted it").isZero();
        }
    }

    @Test
    void shouldReadTheRetentionPeriodWithThirtyDaysByDefault() {
        assertThat(StoreWiring.retention(Map.of())).isEqualTo(new BudgetDuration(30, BudgetDuration.Unit.DAYS));
        assertThat(StoreWiring.retention(Map.of("stored_responses_retention_period", "1w")))
                .isEqualTo(new BudgetDuration(1, BudgetDuration.Unit.WEEKS));
        for (String invalid : new String[] {"0d", "soon", "none", "30"}) {
            assertThatThrownBy(() -> StoreWiring.retention(Map.of("stored_responses_retention_period", invalid)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("general_settings.stored_responses_retention_period");
        }
    }

    /** A wall clock the test moves. */
    private static final class SettableClock extends Clock {
        volatile Instant now = T0;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
