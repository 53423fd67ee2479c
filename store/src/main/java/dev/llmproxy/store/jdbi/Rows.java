package dev.llmproxy.store.jdbi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * Column reads shared by the row mappers. Timestamps are stored as UTC wall-clock time without a zone (LiteLLM's
 * {@code TIMESTAMP(3)}), so they are read as {@link LocalDateTime} and placed in UTC, never through the JVM's default
 * zone. Thread-safe (stateless).
 */
final class Rows {
    private Rows() {}

    static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    static Instant requiredInstant(ResultSet rs, String column) throws SQLException {
        Instant value = instant(rs, column);
        if (value == null) {
            throw new SQLException("column " + column + " is null");
        }
        return value;
    }

    static @Nullable Double nullableDouble(ResultSet rs, String column) throws SQLException {
        double value = rs.getDouble(column);
        return rs.wasNull() ? null : value;
    }

    static @Nullable Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    static @Nullable Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    static String text(ResultSet rs, String column, String ifNull) throws SQLException {
        String value = rs.getString(column);
        return value == null ? ifNull : value;
    }

    /** The stored precision of a timestamp: {@code TIMESTAMP(3)} keeps milliseconds. */
    static Instant toStoredPrecision(Instant value) {
        return value.truncatedTo(ChronoUnit.MILLIS);
    }
}
