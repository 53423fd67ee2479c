package dev.llmproxy.cli;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.event.KeyValuePair;

/**
 * LiteLLM's {@code json_logs} format: one JSON object per line with {@code message}, {@code level} (Python's names:
 * {@code WARNING}, not {@code WARN}), {@code timestamp} (local time, ISO-8601 without zone, microseconds, as LiteLLM
 * writes it), {@code component} (the logger), {@code call_id} when the line is about a request, the line's key-value
 * pairs, and {@code stacktrace} when an exception is attached. Every value passes {@link SecretRedactor}.
 *
 * <p>The call id is the {@code call_id} key-value pair, or else the first argument of a message that starts with
 * {@code [{}]}, the form every request-scoped log line of llmproxy uses.
 *
 * <p>Thread-safety: stateless after construction; logback calls it from any thread.
 */
public final class JsonLogLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    private static final String CALL_ID = "call_id";
    private static final String REQUEST_PREFIX = "[{}]";
    private static final Set<String> CORE = Set.of("message", "level", "timestamp", "component", CALL_ID,
            "stacktrace");

    private final ZoneId zone;

    /** Writes timestamps in {@code zone} (the system's, in production). */
    public JsonLogLayout(ZoneId zone) {
        this.zone = requireNonNull(zone, "zone");
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder json = new StringBuilder(256).append('{');
        field(json, "message", event.getFormattedMessage());
        field(json, "level", pythonLevel(event.getLevel()));
        field(json, "timestamp", TIMESTAMP.format(LocalDateTime.ofInstant(event.getInstant(), zone)));
        field(json, "component", event.getLoggerName());
        String callId = callId(event);
        if (callId != null) {
            field(json, CALL_ID, callId);
        }
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            Set<String> written = new HashSet<>();
            for (KeyValuePair pair : pairs) {
                if (!CORE.contains(pair.key) && written.add(pair.key)) {
                    field(json, pair.key, String.valueOf(pair.value));
                }
            }
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            field(json, "stacktrace", ThrowableProxyUtil.asString(thrown));
        }
        json.setLength(json.length() - 1);
        return json.append("}\n").toString();
    }

    private static @Nullable String callId(ILoggingEvent event) {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (pair.key.equals(CALL_ID) && pair.value != null) {
                    return pair.value.toString();
                }
            }
        }
        String pattern = event.getMessage();
        Object[] arguments = event.getArgumentArray();
        if (pattern != null && pattern.startsWith(REQUEST_PREFIX) && arguments != null && arguments.length > 0
                && arguments[0] != null) {
            return arguments[0].toString();
        }
        return null;
    }

    /** Python's level names, which LiteLLM's log consumers filter on. */
    static String pythonLevel(Level level) {
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return "ERROR";
        }
        if (level.isGreaterOrEqual(Level.WARN)) {
            return "WARNING";
        }
        return level.isGreaterOrEqual(Level.INFO) ? "INFO" : "DEBUG";
    }

    /** Appends {@code "name": "value",} with the value redacted and escaped. */
    private static void field(StringBuilder json, String name, @Nullable String value) {
        string(json, name);
        json.append(':');
        string(json, value == null ? "None" : SecretRedactor.redact(value));
        json.append(',');
    }

    private static void string(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
