package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where the store lives and how many connections it may hold.
 *
 * @param databaseUrl PostgreSQL (from {@code general_settings.database_url} or {@code DATABASE_URL}), or null for the
 *     embedded database
 * @param embeddedPath the embedded database's file, without H2's {@code .mv.db} suffix; used only when
 *     {@code databaseUrl} is null
 * @param poolSize the most connections open at once ({@code general_settings.database_connection_pool_limit})
 * @param connectionTimeoutMillis how long a caller waits for a connection before the call fails
 */
public record StoreConfig(
        @Nullable DatabaseUrl databaseUrl, Path embeddedPath, int poolSize, long connectionTimeoutMillis) {

    /** The pool size when {@code database_connection_pool_limit} is not set (LiteLLM's documented default). */
    public static final int DEFAULT_POOL_SIZE = 10;

    /** The embedded database's file when none is configured, relative to the working directory. */
    public static final Path DEFAULT_EMBEDDED_PATH = Path.of("llmproxy-data", "llmproxy");

    /** How long a caller waits for a connection by default. */
    public static final long DEFAULT_CONNECTION_TIMEOUT_MILLIS = 5_000;

    /** Validates the configuration. */
    public StoreConfig {
        requireNonNull(embeddedPath, "embeddedPath");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize: " + poolSize + " (expected: > 0)");
        }
        if (connectionTimeoutMillis < 250) {
            // HikariCP's lower bound.
            throw new IllegalArgumentException(
                    "connectionTimeoutMillis: " + connectionTimeoutMillis + " (expected: >= 250)");
        }
    }

    /**
     * The configuration for the proxy's settings: PostgreSQL when {@code databaseUrl} is set (LiteLLM's
     * {@code postgresql://} form or a {@code jdbc:} URL), else the embedded database at {@code embeddedPath}.
     *
     * @param poolSize {@code database_connection_pool_limit}, or null for {@link #DEFAULT_POOL_SIZE}
     */
    public static StoreConfig of(@Nullable String databaseUrl, @Nullable Integer poolSize, Path embeddedPath) {
        return new StoreConfig(
                databaseUrl == null || databaseUrl.isBlank() ? null : DatabaseUrl.parse(databaseUrl),
                embeddedPath,
                poolSize == null ? DEFAULT_POOL_SIZE : poolSize,
                DEFAULT_CONNECTION_TIMEOUT_MILLIS);
    }

    /** The embedded database at {@code path}, with the default pool. */
    public static StoreConfig embedded(Path path) {
        return new StoreConfig(null, path, DEFAULT_POOL_SIZE, DEFAULT_CONNECTION_TIMEOUT_MILLIS);
    }

    /** PostgreSQL (or any {@code jdbc:} URL) with the default pool. */
    public static StoreConfig database(DatabaseUrl url) {
        return new StoreConfig(url, DEFAULT_EMBEDDED_PATH, DEFAULT_POOL_SIZE, DEFAULT_CONNECTION_TIMEOUT_MILLIS);
    }

    /** Whether this is the embedded database. */
    public boolean isEmbedded() {
        return databaseUrl == null;
    }

    /** This configuration with another pool size. */
    public StoreConfig withPoolSize(int size) {
        return new StoreConfig(databaseUrl, embeddedPath, size, connectionTimeoutMillis);
    }

    /** This configuration with another connection timeout. */
    public StoreConfig withConnectionTimeoutMillis(long millis) {
        return new StoreConfig(databaseUrl, embeddedPath, poolSize, millis);
    }
}
