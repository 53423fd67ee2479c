package dev.llmproxy.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void shouldConvertLiteLlmPostgresUrlToJdbc() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://llm:s%40cret%3Ax@db.internal:5433/litellm?sslmode=require");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/litellm?sslmode=require");
        assertThat(url.user()).isEqualTo("llm");
        assertThat(url.password()).isEqualTo("s@cret:x");
        assertThat(url.isPostgres()).isTrue();
        assertThat(url.toString()).doesNotContain("s@cret").contains("***");
    }

    @Test
    void shouldAcceptPostgresSchemeWithoutPortPasswordOrDatabase() {
        assertThat(DatabaseUrl.parse("postgres://admin@localhost"))
                .isEqualTo(new DatabaseUrl("jdbc:postgresql://localhost/", "admin", null));
        assertThat(DatabaseUrl.parse("postgresql://localhost:5432/db"))
                .isEqualTo(new DatabaseUrl("jdbc:postgresql://localhost:5432/db", null, null));
        assertThat(DatabaseUrl.parse("postgresql://u:a+b@h/db").password()).isEqualTo("a+b");
    }

    @Test
    void shouldTakeJdbcUrlsAsTheyAre() {
        assertThat(DatabaseUrl.parse(" jdbc:postgresql://h/db?user=x "))
                .isEqualTo(new DatabaseUrl("jdbc:postgresql://h/db?user=x", null, null));
    }

    @Test
    void shouldRejectOtherSchemesWithoutEchoingTheUrl() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://u:topsecret@h/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mysql")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://u:top secret@h/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("top secret");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql:///db")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldChooseEmbeddedWithoutDatabaseUrl() {
        StoreConfig embedded = StoreConfig.of(null, null, Path.of("data", "db"));
        StoreConfig blank = StoreConfig.of("  ", 3, Path.of("data", "db"));
        StoreConfig postgres = StoreConfig.of("postgresql://u@h/db", 25, Path.of("ignored"));

        assertThat(embedded.isEmbedded()).isTrue();
        assertThat(embedded.poolSize()).isEqualTo(StoreConfig.DEFAULT_POOL_SIZE);
        assertThat(blank.isEmbedded()).isTrue();
        assertThat(blank.poolSize()).isEqualTo(3);
        assertThat(postgres.isEmbedded()).isFalse();
        assertThat(postgres.poolSize()).isEqualTo(25);
        assertThatThrownBy(() -> StoreConfig.of(null, 0, Path.of("x"))).isInstanceOf(IllegalArgumentException.class);
    }
}
