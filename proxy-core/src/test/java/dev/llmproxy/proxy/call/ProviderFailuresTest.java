package dev.llmproxy.proxy.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmproxy.proxy.route.ErrorClass;
import dev.llmproxy.proxy.route.Failure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An error response read as LiteLLM's exception mapping reads it: its class and how long the provider asks to wait. */
class ProviderFailuresTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T16:00:00Z"), ZoneOffset.UTC);

    @Test
    void shouldTellContextLengthErrorsOfEveryProviderFromOther400s() {
        assertThat(classOf(400, "{\"error\":{\"code\":\"context_length_exceeded\"}}"))
                .isEqualTo(ErrorClass.CONTEXT_WINDOW_EXCEEDED);
        assertThat(classOf(400, "{\"type\":\"error\",\"error\":{\"message\":\"prompt is too long: 201000 tokens\"}}"))
                .isEqualTo(ErrorClass.CONTEXT_WINDOW_EXCEEDED);
        assertThat(classOf(400, "{\"error\":{\"message\":\"The input token count exceeds the maximum number of "
                + "tokens allowed\"}}")).isEqualTo(ErrorClass.CONTEXT_WINDOW_EXCEEDED);
        assertThat(classOf(400, "{\"error\":{\"message\":\"Invalid tool schema\"}}")).isEqualTo(ErrorClass.BAD_REQUEST);
        assertThat(classOf(500, "{\"error\":{\"message\":\"maximum context length\"}}"))
                .as("only a 400 is a context error").isEqualTo(ErrorClass.INTERNAL_SERVER);
    }

    @Test
    void shouldTellContentPolicyRefusals() {
        assertThat(classOf(400, "{\"error\":{\"code\":\"content_filter\",\"message\":\"The response was filtered\"}}"))
                .isEqualTo(ErrorClass.CONTENT_POLICY_VIOLATION);
        assertThat(classOf(400, "{\"error\":{\"message\":\"Your request was rejected as a result of our safety "
                + "system.\"}}")).isEqualTo(ErrorClass.CONTENT_POLICY_VIOLATION);
    }

    @Test
    void shouldTellASuccessBlockedByAContentFilterInEachProvidersFormat() {
        assertThat(filtered("{\"choices\":[{\"message\":{\"content\":null},\"finish_reason\":\"content_filter\"}]}"))
                .isTrue();
        assertThat(filtered("{\"content\":[],\"stop_reason\":\"refusal\"}")).isTrue();
        assertThat(filtered("{\"candidates\":[{\"finishReason\":\"SAFETY\"}]}")).isTrue();
        assertThat(filtered("{\"promptFeedback\":{\"blockReason\":\"OTHER\"}}")).isTrue();
        assertThat(filtered("{\"choices\":[{\"message\":{\"content\":\"finish_reason content_filter\"},"
                + "\"finish_reason\":\"stop\"}]}")).as("words in the text are not members").isFalse();
        assertThat(filtered("{\"choices\":[{\"finish_reason\":\"content_fil")).as("cut short").isFalse();
        assertThat(filtered("not json")).isFalse();
    }

    @Test
    void shouldReadRetryAfterInSecondsMillisecondsOrAsADate() {
        assertThat(retryAfter("retry-after", "7")).isEqualTo(TimeUnit.SECONDS.toNanos(7));
        assertThat(retryAfter("retry-after", "0.5")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(retryAfter("retry-after-ms", "250")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(retryAfter("retry-after", "Tue, 01 Dec 2026 16:00:30 GMT")).isEqualTo(TimeUnit.SECONDS.toNanos(30));
        assertThat(retryAfter("retry-after", "soon")).isEqualTo(Failure.NO_RETRY_AFTER);
        assertThat(retryAfter("retry-after", "-3")).isEqualTo(Failure.NO_RETRY_AFTER);
        assertThat(retryAfter("x-other", "3")).isEqualTo(Failure.NO_RETRY_AFTER);
    }

    private static ErrorClass classOf(int status, String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return ProviderFailures.of(status, new DefaultHttpHeaders(), buf, CLOCK).errorClass();
        } finally {
            buf.release();
        }
    }

    private static boolean filtered(String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            boolean filtered = ProviderFailures.isContentFiltered(buf);
            assertThat(buf.readerIndex()).isZero();
            return filtered;
        } finally {
            buf.release();
        }
    }

    private static long retryAfter(String name, String value) {
        HttpHeaders headers = new DefaultHttpHeaders().set(name, value);
        return ProviderFailures.of(429, headers, null, CLOCK).retryAfterNanos();
    }
}
