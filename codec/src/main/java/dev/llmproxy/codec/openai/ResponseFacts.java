package dev.llmproxy.codec.openai;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an OpenAI-shaped response says about itself beyond its usage: the top-level {@code model} that answered and
 * each choice's {@code finish_reason} (the OpenTelemetry GenAI attributes {@code gen_ai.response.model} and
 * {@code gen_ai.response.finish_reasons}). Filled by {@link JsonBodyUsageScanner} and {@link StreamChunkInspector}
 * only when the caller passes one, so that a proxy without tracing neither parses nor allocates for these facts.
 *
 * <p>The well-known finish reasons are shared constants; only a model name, and a reason outside that set, allocate.
 * A value split across two body chunks, or written with escapes, is not captured.
 *
 * <p>Thread-safety: written by the response's event loop; readers on other threads must receive it through a
 * happens-before hand-off (a queue) after the response ended.
 */
public final class ResponseFacts {
    /** Choices beyond this many are not listed ({@code n} is rarely above a few). */
    static final int MAX_FINISH_REASONS = 16;
    private static final String[] KNOWN_REASONS = {"stop", "length", "tool_calls", "content_filter", "function_call"};

    private @Nullable String model;
    private String[] finishReasons = new String[1];
    private int finishReasonCount;

    /** The {@code model} the response named, or null when none was seen. */
    public @Nullable String model() {
        return model;
    }

    /** The choices' finish reasons in the order seen (one per choice that ended; none while a stream is open). */
    public List<String> finishReasons() {
        return List.of(Arrays.copyOf(finishReasons, finishReasonCount));
    }

    /** Whether nothing was captured. */
    public boolean isEmpty() {
        return model == null && finishReasonCount == 0;
    }

    void model(String value) {
        model = value;
    }

    /** Records the reason of one choice; {@code ascii[from, to)} is the JSON string's content. */
    void finishReason(byte[] ascii, int from, int to) {
        if (finishReasonCount == MAX_FINISH_REASONS) {
            return;
        }
        if (finishReasonCount == finishReasons.length) {
            finishReasons = Arrays.copyOf(finishReasons, Math.min(MAX_FINISH_REASONS, finishReasonCount * 2));
        }
        finishReasons[finishReasonCount++] = reason(ascii, from, to);
    }

    private static String reason(byte[] ascii, int from, int to) {
        for (String known : KNOWN_REASONS) {
            if (matches(known, ascii, from, to)) {
                return known;
            }
        }
        return new String(ascii, from, to - from, StandardCharsets.UTF_8);
    }

    private static boolean matches(String known, byte[] ascii, int from, int to) {
        if (known.length() != to - from) {
            return false;
        }
        for (int i = 0; i < known.length(); i++) {
            if (known.charAt(i) != ascii[from + i]) {
                return false;
            }
        }
        return true;
    }
}
