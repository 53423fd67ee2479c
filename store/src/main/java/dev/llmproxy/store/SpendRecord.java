package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one call cost and who pays: becomes one row of {@code LiteLLM_SpendLogs} and increments of the key's, user's,
 * team's and team member's spend. Immutable; build one with {@link #builder(String)}.
 *
 * @param requestId the request's id ({@code x-litellm-call-id}); a record is written at most once per id
 * @param callType LiteLLM's call type: {@code acompletion}, {@code aembedding}, ...
 * @param apiKey the key's hash, or empty when the call used no virtual key
 * @param spend the call's cost in USD
 * @param promptTokens input tokens
 * @param completionTokens output tokens
 * @param totalTokens all tokens
 * @param startTime when the request arrived
 * @param endTime when the call ended
 * @param model the upstream model
 * @param modelId the deployment's id ({@code model_info.id})
 * @param modelGroup the public model name the client asked for
 * @param customLlmProvider the provider prefix ({@code openai}, {@code gemini}, ...)
 * @param apiBase the deployment's base URL, without query
 * @param userId the key owner's user id, or null; spend accrues to that user
 * @param teamId the key's team, or null; spend accrues to that team and to the user's membership of it
 * @param endUser the end user (OpenAI {@code user} field or end-user header), or null
 * @param requestTags the request's tags
 * @param status {@code success} or {@code failure}
 */
public record SpendRecord(
        String requestId,
        String callType,
        String apiKey,
        double spend,
        int promptTokens,
        int completionTokens,
        int totalTokens,
        Instant startTime,
        Instant endTime,
        String model,
        String modelId,
        String modelGroup,
        String customLlmProvider,
        String apiBase,
        @Nullable String userId,
        @Nullable String teamId,
        @Nullable String endUser,
        List<String> requestTags,
        String status) {

    /** Validates the record and copies its tags. */
    public SpendRecord {
        requireNonNull(requestId, "requestId");
        if (requestId.isEmpty()) {
            throw new IllegalArgumentException("requestId: empty");
        }
        requireNonNull(callType, "callType");
        requireNonNull(apiKey, "apiKey");
        requireNonNull(startTime, "startTime");
        requireNonNull(endTime, "endTime");
        requireNonNull(model, "model");
        requireNonNull(modelId, "modelId");
        requireNonNull(modelGroup, "modelGroup");
        requireNonNull(customLlmProvider, "customLlmProvider");
        requireNonNull(apiBase, "apiBase");
        requestTags = List.copyOf(requestTags);
        requireNonNull(status, "status");
        if (!Double.isFinite(spend) || spend < 0) {
            throw new IllegalArgumentException("spend: " + spend + " (expected: finite, >= 0)");
        }
    }

    /** A builder for a record with this request id. */
    public static Builder builder(String requestId) {
        return new Builder(requestId);
    }

    /** How long the call took, in milliseconds, saturated to an {@code int}. */
    public int durationMillis() {
        long millis = endTime.toEpochMilli() - startTime.toEpochMilli();
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, millis));
    }

    /** Builds a {@link SpendRecord}. Not thread-safe. */
    public static final class Builder {
        private String requestId;
        private String callType = "";
        private String apiKey = "";
        private double spend;
        private int promptTokens;
        private int completionTokens;
        private int totalTokens;
        private Instant startTime = Instant.EPOCH;
        private Instant endTime = Instant.EPOCH;
        private String model = "";
        private String modelId = "";
        private String modelGroup = "";
        private String customLlmProvider = "";
        private String apiBase = "";
        private @Nullable String userId;
        private @Nullable String teamId;
        private @Nullable String endUser;
        private List<String> requestTags = List.of();
        private String status = "success";

        private Builder(String requestId) {
            this.requestId = requestId;
        }

        /** Sets {@link SpendRecord#callType()}. */
        public Builder callType(String value) {
            callType = value;
            return this;
        }

        /** Sets {@link SpendRecord#apiKey()}. */
        public Builder apiKey(String value) {
            apiKey = value;
            return this;
        }

        /** Sets {@link SpendRecord#spend()}. */
        public Builder spend(double value) {
            spend = value;
            return this;
        }

        /** Sets {@link SpendRecord#promptTokens()}. */
        public Builder promptTokens(int value) {
            promptTokens = value;
            return this;
        }

        /** Sets {@link SpendRecord#completionTokens()}. */
        public Builder completionTokens(int value) {
            completionTokens = value;
            return this;
        }

        /** Sets {@link SpendRecord#totalTokens()}. */
        public Builder totalTokens(int value) {
            totalTokens = value;
            return this;
        }

        /** Sets {@link SpendRecord#startTime()}. */
        public Builder startTime(Instant value) {
            startTime = value;
            return this;
        }

        /** Sets {@link SpendRecord#endTime()}. */
        public Builder endTime(Instant value) {
            endTime = value;
            return this;
        }

        /** Sets {@link SpendRecord#model()}. */
        public Builder model(String value) {
            model = value;
            return this;
        }

        /** Sets {@link SpendRecord#modelId()}. */
        public Builder modelId(String value) {
            modelId = value;
            return this;
        }

        /** Sets {@link SpendRecord#modelGroup()}. */
        public Builder modelGroup(String value) {
            modelGroup = value;
            return this;
        }

        /** Sets {@link SpendRecord#customLlmProvider()}. */
        public Builder customLlmProvider(String value) {
            customLlmProvider = value;
            return this;
        }

        /** Sets {@link SpendRecord#apiBase()}. */
        public Builder apiBase(String value) {
            apiBase = value;
            return this;
        }

        /** Sets {@link SpendRecord#userId()}. */
        public Builder userId(@Nullable String value) {
            userId = value;
            return this;
        }

        /** Sets {@link SpendRecord#teamId()}. */
        public Builder teamId(@Nullable String value) {
            teamId = value;
            return this;
        }

        /** Sets {@link SpendRecord#endUser()}. */
        public Builder endUser(@Nullable String value) {
            endUser = value;
            return this;
        }

        /** Sets {@link SpendRecord#requestTags()}. */
        public Builder requestTags(List<String> value) {
            requestTags = value;
            return this;
        }

        /** Sets {@link SpendRecord#status()}. */
        public Builder status(String value) {
            status = value;
            return this;
        }

        /** Builds the record. */
        public SpendRecord build() {
            return new SpendRecord(requestId, callType, apiKey, spend, promptTokens, completionTokens, totalTokens,
                    startTime, endTime, model, modelId, modelGroup, customLlmProvider, apiBase, userId, teamId, endUser,
                    requestTags, status);
        }
    }
}
