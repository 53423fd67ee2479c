package dev.llmproxy.proxy.call;

import dev.llmproxy.proxy.route.ErrorClass;
import dev.llmproxy.proxy.route.Failure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads a provider's error response into a {@link Failure}: its class (a 400 is told apart as a context-length error
 * or a content-policy refusal by the words providers use, as LiteLLM's exception mapping does) and its
 * {@code Retry-After}. Thread-safety: stateless.
 */
final class ProviderFailures {

    /** Phrases of context-length errors: OpenAI and compatibles, Azure, Anthropic, Gemini, Mistral, vLLM. */
    private static final List<String> CONTEXT_WINDOW = List.of("context_length_exceeded", "maximum context length",
            "context window", "context length", "prompt is too long", "input is too long",
            "exceeds the maximum number of tokens", "too many tokens");

    /** Phrases of content-policy refusals: OpenAI, Azure's content filter, Anthropic, Gemini's safety blocks. */
    private static final List<String> CONTENT_POLICY = List.of("content_policy_violation", "content_filter",
            "content management policy", "safety system", "responsibleaipolicyviolation", "blocked by safety");

    private static final String RETRY_AFTER_MS = "retry-after-ms";

    /**
     * A success whose output a content filter blocked, as LiteLLM treats it when a fallback could answer instead: its
     * {@code ContentPolicyViolationError} ("Response output was blocked."), a 400 of the content-policy class.
     */
    static final Failure CONTENT_FILTERED =
            new Failure(400, ErrorClass.CONTENT_POLICY_VIOLATION, Failure.NO_RETRY_AFTER);

    /** Gemini's {@code finishReason} values that its translation reports as {@code content_filter}. */
    private static final Set<String> GEMINI_FILTERED = Set.of("SAFETY", "RECITATION", "BLOCKLIST",
            "PROHIBITED_CONTENT", "SPII", "LANGUAGE", "OTHER", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
            "IMAGE_RECITATION", "IMAGE_OTHER", "NO_IMAGE");

    private static final JsonFactory JSON = new JsonFactory();

    private ProviderFailures() {}

    /**
     * The failure a provider's error response stands for.
     *
     * @param body the start of the error body (all of it when it is small); not released, indexes unchanged
     */
    static Failure of(int status, HttpHeaders headers, @Nullable ByteBuf body, Clock clock) {
        ErrorClass errorClass = ErrorClass.of(status);
        if (status == 400 && body != null && body.isReadable()) {
            String text = body.toString(StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            if (containsAny(text, CONTEXT_WINDOW)) {
                errorClass = ErrorClass.CONTEXT_WINDOW_EXCEEDED;
            } else if (containsAny(text, CONTENT_POLICY)) {
                errorClass = ErrorClass.CONTENT_POLICY_VIOLATION;
            }
        }
        return new Failure(status, errorClass, retryAfterNanos(headers, clock));
    }

    /**
     * Whether a provider's success body says a content filter blocked the output, in any of the formats the client
     * would see as {@code finish_reason: "content_filter"}: OpenAI's (and Azure's) {@code finish_reason}, Anthropic's
     * {@code stop_reason} {@code refusal}, Gemini's {@code finishReason} for blocked candidates or a
     * {@code promptFeedback.blockReason}. The names are member names, so a message's text cannot pass for them. False
     * for a body that is not JSON.
     *
     * @param body the whole body; not released, indexes unchanged
     */
    static boolean isContentFiltered(ByteBuf body) {
        InputStream in = new ByteBufInputStream(body.duplicate());
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), in)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token != JsonToken.PROPERTY_NAME) {
                    continue;
                }
                String name = parser.currentName();
                if (parser.nextToken() != JsonToken.VALUE_STRING) {
                    continue;
                }
                String value = parser.getString();
                boolean filtered = switch (name) {
                    case "finish_reason" -> value.equals("content_filter");
                    case "stop_reason" -> value.equals("refusal") || value.equals("content_filtered");
                    case "finishReason" -> GEMINI_FILTERED.contains(value);
                    case "blockReason" -> true;
                    default -> false;
                };
                if (filtered) {
                    return true;
                }
            }
            return false;
        } catch (JacksonException e) {
            // Not JSON, or cut short: nothing says it was filtered, and the client gets it as it is.
            return false;
        }
    }

    /**
     * {@code retry-after-ms} (OpenAI's), else {@code Retry-After} in seconds or as an HTTP date; {@link
     * Failure#NO_RETRY_AFTER} when absent, unreadable or negative.
     */
    static long retryAfterNanos(HttpHeaders headers, Clock clock) {
        String millis = headers.get(RETRY_AFTER_MS);
        if (millis != null) {
            double value = number(millis);
            if (value >= 0) {
                return (long) Math.min(value * 1e6, Long.MAX_VALUE / 2.0);
            }
        }
        String retryAfter = headers.get(HttpHeaderNames.RETRY_AFTER);
        if (retryAfter == null) {
            return Failure.NO_RETRY_AFTER;
        }
        double seconds = number(retryAfter);
        if (seconds >= 0) {
            return (long) Math.min(seconds * 1e9, Long.MAX_VALUE / 2.0);
        }
        try {
            long at = ZonedDateTime.parse(retryAfter.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()
                    .toEpochMilli();
            return TimeUnit.MILLISECONDS.toNanos(Math.max(0, at - clock.millis()));
        } catch (DateTimeParseException e) {
            // Neither seconds nor a date: LiteLLM ignores such a header too, and so does the backoff.
            return Failure.NO_RETRY_AFTER;
        }
    }

    /** The value as a number, or -1 when it is not a finite number >= 0. */
    private static double number(String text) {
        try {
            double value = Double.parseDouble(text.trim());
            return value >= 0 && !Double.isInfinite(value) ? value : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean containsAny(String text, List<String> phrases) {
        for (String phrase : phrases) {
            if (text.contains(phrase)) {
                return true;
            }
        }
        return false;
    }
}
