package dev.llmproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

class JsonLogLayoutTest {
    private static final JsonFactory JSON = new JsonFactory();

    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("dev.llmproxy.proxy.call.ModelCall");
    private final JsonLogLayout layout = new JsonLogLayout(ZoneOffset.UTC);

    @Test
    void shouldWriteLiteLlmFieldsAndTheCallIdWhenARequestLineIsLogged() {
        LoggingEvent event = event(Level.WARN, "[{}] attempt on {} failed with {}", null,
                "5f0c-call", "dep-a", 503);

        String line = layout.doLayout(event);

        assertThat(line).endsWith("}\n").doesNotContain("\n{").hasLineCount(1);
        assertThat(parse(line)).containsExactly(
                Map.entry("message", "[5f0c-call] attempt on dep-a failed with 503"),
                Map.entry("level", "WARNING"),
                Map.entry("timestamp", "2026-03-04T05:06:07.123456"),
                Map.entry("component", "dev.llmproxy.proxy.call.ModelCall"),
                Map.entry("call_id", "5f0c-call"));
    }

    @Test
    void shouldAddKeyValuePairsAndStacktraceWithoutOverridingCoreFields() {
        LoggingEvent event = event(Level.ERROR, "scrape failed", new IllegalStateException("boom\nline two"));
        event.addKeyValuePair(new KeyValuePair("call_id", "kv-call"));
        event.addKeyValuePair(new KeyValuePair("status_code", 502));
        event.addKeyValuePair(new KeyValuePair("level", "fake"));

        Map<String, String> fields = parse(layout.doLayout(event));

        assertThat(fields).containsEntry("level", "ERROR").containsEntry("call_id", "kv-call")
                .containsEntry("status_code", "502");
        assertThat(fields.get("stacktrace")).startsWith("java.lang.IllegalStateException: boom\nline two")
                .contains("JsonLogLayoutTest");
    }

    @Test
    void shouldRedactCredentialsInMessagesAndStacktraces() {
        LoggingEvent event = event(Level.INFO, "calling {} with Authorization: Bearer {} and {}",
                new IllegalArgumentException("cannot connect to postgresql://llm:hunter2@db/llm"),
                "https://api.openai.com", "sk-proj-abcdef123456", "{\"api_key\": \"AIzaSyA-1234567890abcdefghij\"}");

        String line = layout.doLayout(event);

        assertThat(line).doesNotContain("sk-proj-abcdef123456", "AIzaSyA-1234567890abcdefghij", "hunter2")
                .contains("[REDACTED]").contains("https://api.openai.com");
    }

    @Test
    void shouldMaskCredentialsInThePlainFormatToo() {
        RedactingMessageConverter converter = new RedactingMessageConverter();

        String message = converter.convert(event(Level.WARN, "upstream {} refused key {}", null,
                "https://user:pa55@proxy.example", "sk-ant-api03-abcdefgh"));

        assertThat(message).isEqualTo("upstream https://user:[REDACTED]@proxy.example refused key sk-[REDACTED]");
    }

    @Test
    void shouldEscapeControlCharactersSoEachEventStaysOneLine() {
        String line = layout.doLayout(event(Level.DEBUG, "a\"b\\c\td\u0001e\u2028f", null));

        assertThat(line).hasLineCount(1);
        assertThat(parse(line)).containsEntry("message", "a\"b\\c\td\u0001e\u2028f").containsEntry("level", "DEBUG");
    }

    @Test
    void shouldMapLiteLlmLogLevelsWhenLitellmLogIsSet() {
        assertThat(LogSetup.level(Map.of("LITELLM_LOG", "warning"), false)).isEqualTo(Level.WARN);
        assertThat(LogSetup.level(Map.of("LITELLM_LOG", "CRITICAL"), false)).isEqualTo(Level.ERROR);
        assertThat(LogSetup.level(Map.of("LITELLM_LOG", "DEBUG"), false)).isEqualTo(Level.DEBUG);
        assertThat(LogSetup.level(Map.of(), false)).isEqualTo(Level.INFO);
        assertThat(LogSetup.level(Map.of("LITELLM_LOG", "ERROR"), true)).isEqualTo(Level.DEBUG);
        assertThat(LogSetup.jsonRequested(false, Map.of("JSON_LOGS", "true"))).isTrue();
        assertThat(LogSetup.jsonRequested(false, Map.of("JSON_LOGS", "True"))).isFalse();
    }

    private LoggingEvent event(Level level, String message, Throwable thrown, Object... arguments) {
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, level, message, thrown, arguments);
        event.setInstant(Instant.parse("2026-03-04T05:06:07.123456789Z"));
        return event;
    }

    private static Map<String, String> parse(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), line)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                assertThat(parser.nextToken()).isEqualTo(JsonToken.VALUE_STRING);
                assertThat(fields.put(name, parser.getString())).as("duplicate " + name).isNull();
            }
            assertThat(parser.nextToken()).isNull();
        }
        return fields;
    }
}
