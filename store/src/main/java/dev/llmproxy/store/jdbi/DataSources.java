package dev.llmproxy.store.jdbi;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.store.DatabaseUrl;
import dev.llmproxy.store.StoreConfig;
import dev.llmproxy.store.StoreException;

/** Builds the HikariCP pool for a {@link StoreConfig}. Thread-safe (stateless). */
final class DataSources {
    /**
     * H2 settings that make the embedded database behave like PostgreSQL for our SQL: PostgreSQL mode (TEXT is
     * VARCHAR, {@code ON CONFLICT DO NOTHING}), unquoted names in lower case, and NULLs sorting last ascending.
     */
    static final String H2_OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

    /** A statement on PostgreSQL that hangs longer than this fails, so a half-open connection cannot stall a writer. */
    private static final String PG_SOCKET_TIMEOUT_SECONDS = "60";

    private DataSources() {}

    static HikariDataSource create(StoreConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("llmproxy-store");
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(Math.min(2, config.poolSize()));
        hikari.setConnectionTimeout(config.connectionTimeoutMillis());
        DatabaseUrl url = config.databaseUrl();
        if (url == null) {
            hikari.setJdbcUrl(embeddedUrl(config));
            hikari.setUsername("sa");
            hikari.setPassword("");
        } else {
            hikari.setJdbcUrl(url.jdbcUrl());
            if (url.user() != null) {
                hikari.setUsername(url.user());
            }
            if (url.password() != null) {
                hikari.setPassword(url.password());
            }
            if (url.isPostgres()) {
                hikari.addDataSourceProperty("ApplicationName", "llmproxy");
                hikari.addDataSourceProperty("tcpKeepAlive", "true");
                if (!url.jdbcUrl().contains("socketTimeout=")) {
                    hikari.addDataSourceProperty("socketTimeout", PG_SOCKET_TIMEOUT_SECONDS);
                }
            }
        }
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            // The pool's first connection failed; the message names the URL, never the password.
            throw new StoreException("cannot connect to the database at " + hikari.getJdbcUrl(), e);
        }
    }

    static String embeddedUrl(StoreConfig config) {
        return "jdbc:h2:file:" + config.embeddedPath().toAbsolutePath() + H2_OPTIONS;
    }
}
