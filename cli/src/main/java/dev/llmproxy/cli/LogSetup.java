package dev.llmproxy.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The logging backend's set-up from LiteLLM's switches: {@code LITELLM_LOG} (DEBUG, INFO, WARNING, ERROR, CRITICAL)
 * and {@code --detailed_debug} pick llmproxy's level; {@code json_logs: true} or {@code JSON_LOGS=true} swap the plain
 * lines on stderr for JSON lines on stdout, as LiteLLM writes them.
 */
final class LogSetup {
    /** The loggers of llmproxy's own code (the rest stays at the configured root level). */
    private static final String[] OWN_LOGGERS = {"dev.llmproxy", "llmproxy"};

    private LogSetup() {}

    /** llmproxy's level for {@code LITELLM_LOG} and {@code --detailed_debug}; INFO when neither says otherwise. */
    static Level level(Map<String, String> env, boolean detailedDebug) {
        if (detailedDebug) {
            return Level.DEBUG;
        }
        return switch (env.getOrDefault("LITELLM_LOG", "").trim().toUpperCase(Locale.ROOT)) {
            case "DEBUG" -> Level.DEBUG;
            case "WARNING", "WARN" -> Level.WARN;
            case "ERROR", "CRITICAL" -> Level.ERROR;
            default -> Level.INFO;
        };
    }

    /** Sets llmproxy's loggers to {@code level}. */
    static void apply(Level level) {
        for (String name : OWN_LOGGERS) {
            ((Logger) LoggerFactory.getLogger(name)).setLevel(level);
        }
    }

    /** Whether JSON lines are asked for: {@code json_logs: true}, or LiteLLM's {@code JSON_LOGS=true} (exactly). */
    static boolean jsonRequested(boolean jsonLogs, Map<String, String> env) {
        return jsonLogs || "true".equals(env.get("JSON_LOGS"));
    }

    /** From now on every log line is a {@link JsonLogLayout} object on stdout. */
    static void useJson() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        JsonLogLayout layout = new JsonLogLayout(ZoneId.systemDefault());
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("JSON");
        appender.setTarget("System.out");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
    }
}
