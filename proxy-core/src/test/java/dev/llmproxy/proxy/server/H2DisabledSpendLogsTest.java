package dev.llmproxy.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmproxy.proxy.keys.TestDatabases;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.SpendWriterConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * {@code disable_spend_logs}: calls over real sockets write no spend-log row, yet the key's, user's and team's spend
 * in the database is each call's cost once, and the reports answer with nothing to report.
 */
class H2DisabledSpendLogsTest extends StoreFlowTestBase {

    @Override
    TestDatabases newDatabase(Path dir) {
        return TestDatabases.h2(dir);
    }

    @Override
    SpendWriterConfig writerConfig(Path journal) {
        return super.writerConfig(journal).withSpendLogs(false);
    }

    @Test
    void shouldAddSpendToTotalsWithoutWritingSpendLogRows() throws Exception {
        assertThat(post("/team/new", "{\"team_id\":\"t1\"}").statusCode()).isEqualTo(200);
        assertThat(post("/user/new", "{\"user_id\":\"u1\",\"auto_create_key\":false}").statusCode()).isEqualTo(200);
        String key = generate("{\"user_id\":\"u1\",\"team_id\":\"t1\"}");

        for (int i = 0; i < 3; i++) {
            assertThat(chat("gpt-a", key).statusCode()).isEqualTo(200);
        }
        // A call's record reaches the writer when the call ends, which may be just after its client got the answer.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            flushSpend();
            assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_VerificationToken\" WHERE token = ?",
                    KeyHash.of(key))).isEqualTo(0.03, Offset.offset(1e-9));
        });

        assertThat(database.queryLong("SELECT count(*) FROM \"LiteLLM_SpendLogs\"")).isZero();
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_UserTable\" WHERE user_id = 'u1'"))
                .isEqualTo(0.03, Offset.offset(1e-9));
        assertThat(database.queryDouble("SELECT spend FROM \"LiteLLM_TeamTable\" WHERE team_id = 't1'"))
                .isEqualTo(0.03, Offset.offset(1e-9));
        assertThat(database.queryLong("SELECT count(*) FROM llmproxy_spend_segments")).isPositive();
        assertThat(get("/spend/logs").body()).isEqualTo("[]");
    }
}
