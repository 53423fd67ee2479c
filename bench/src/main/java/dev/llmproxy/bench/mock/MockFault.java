package dev.llmproxy.bench.mock;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A failure a {@link MockProvider} acts out instead of answering a model request, queued with
 * {@link MockProvider#enqueueFaults} (the next requests, one each) or set with {@link MockProvider#failEvery} (every
 * request until cleared). Unlike the {@code mock_*} body fields, which every deployment of a group receives alike, a
 * fault belongs to one provider instance, so a test can make one deployment of a group fail and another answer.
 *
 * <p>Thread-safety: immutable.
 *
 * @param kind what happens
 * @param status the error status ({@link Kind#STATUS} only)
 * @param message the error message ({@link Kind#STATUS} only)
 * @param code OpenAI's {@code error.code}, or null for the status' usual one
 * @param retryAfter the {@code Retry-After} header to send, or null for none
 */
public record MockFault(Kind kind, int status, String message, @Nullable String code, @Nullable String retryAfter) {

    /** What a fault does. */
    public enum Kind {
        /** Answers an OpenAI error. */
        STATUS,
        /** Never answers (the connection stays open). */
        HANG,
        /** Resets the connection (TCP RST) without answering. */
        RESET,
        /** Answers 200 with a chat completion whose output a content filter blocked ({@code finish_reason}). */
        CONTENT_FILTERED
    }

    public MockFault {
        requireNonNull(kind, "kind");
        requireNonNull(message, "message");
        if (kind == Kind.STATUS && (status < 400 || status > 599)) {
            throw new IllegalArgumentException("status: " + status + " (expected: 400-599)");
        }
    }

    /** An OpenAI error with {@code status} and a generic message. */
    public static MockFault status(int status) {
        return new MockFault(Kind.STATUS, status, "Mock error " + status, null, null);
    }

    /** Never answers. */
    public static MockFault hang() {
        return new MockFault(Kind.HANG, 0, "", null, null);
    }

    /** Resets the connection. */
    public static MockFault reset() {
        return new MockFault(Kind.RESET, 0, "", null, null);
    }

    /** OpenAI's context-length error (400, {@code context_length_exceeded}). */
    public static MockFault contextLengthExceeded() {
        return new MockFault(Kind.STATUS, 400, "This model's maximum context length is 8192 tokens. However, your "
                + "messages resulted in 9001 tokens. Please reduce the length of the messages.",
                "context_length_exceeded", null);
    }

    /** OpenAI's content-policy refusal (400, {@code content_policy_violation}). */
    public static MockFault contentPolicyViolation() {
        return new MockFault(Kind.STATUS, 400, "Your request was rejected as a result of our safety system.",
                "content_policy_violation", null);
    }

    /**
     * A success blocked by the provider's content filter: 200, a chat completion with no content and
     * {@code finish_reason: "content_filter"}, as Azure OpenAI answers when it filters a model's output.
     */
    public static MockFault contentFiltered() {
        return new MockFault(Kind.CONTENT_FILTERED, 200, "", null, null);
    }

    /** The same fault with a {@code Retry-After} header. */
    public MockFault withRetryAfter(String value) {
        return new MockFault(kind, status, message, code, requireNonNull(value, "value"));
    }
}
