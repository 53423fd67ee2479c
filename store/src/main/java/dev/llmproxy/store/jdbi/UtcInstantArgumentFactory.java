package dev.llmproxy.store.jdbi;

import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;

/**
 * Binds {@link Instant} as UTC wall-clock {@link LocalDateTime}, cut to milliseconds, for LiteLLM's
 * {@code TIMESTAMP(3) WITHOUT TIME ZONE} columns. JDBI's default goes through {@code java.sql.Timestamp}, which the
 * drivers render in the JVM's default zone: on a server not running in UTC the stored times would be off by its
 * offset. Thread-safe (stateless).
 */
final class UtcInstantArgumentFactory extends AbstractArgumentFactory<Instant> {

    UtcInstantArgumentFactory() {
        super(Types.TIMESTAMP);
    }

    @Override
    protected Argument build(Instant value, ConfigRegistry config) {
        LocalDateTime utc = LocalDateTime.ofInstant(Rows.toStoredPrecision(value), ZoneOffset.UTC);
        return (position, statement, ctx) -> statement.setObject(position, utc);
    }
}
