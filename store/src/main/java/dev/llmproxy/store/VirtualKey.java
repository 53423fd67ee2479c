package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A virtual key as stored: identified by the SHA-256 hex of the key ({@link KeyHash}), never by the key itself. Row of
 * {@code LiteLLM_VerificationToken}. Immutable; build one with {@link #builder(String)} and change one with
 * {@link #toBuilder()}.
 *
 * @param token lowercase hex SHA-256 of the key, {@code sk-} included
 * @param keyName the display abbreviation, {@code sk-...abcd}
 * @param keyAlias a unique human name, or null
 * @param spend USD spent since the last budget reset
 * @param maxBudget the USD cap, or null for none
 * @param softBudget the USD level at which alerts fire, or null
 * @param budgetDuration how often spend resets ({@code 30d}, {@code 1h}, ...), or null for a one-time budget
 * @param budgetResetAt when spend resets next, or null
 * @param expires when the key stops working, or null for never
 * @param models the models, access groups and wildcards the key may use; empty means all
 * @param aliases a JSON object mapping model aliases to model names
 * @param userId the owning user, or null
 * @param teamId the owning team, or null
 * @param tpmLimit tokens per minute, or null for no limit
 * @param rpmLimit requests per minute, or null for no limit
 * @param maxParallelRequests concurrent requests, or null for no limit
 * @param modelRpmLimit requests per minute per model
 * @param modelTpmLimit tokens per minute per model
 * @param metadata a JSON object the store does not interpret
 * @param tags request tags applied to every call with this key
 * @param blocked whether the key is refused
 * @param createdAt when the key was created
 * @param updatedAt when the key was last changed
 * @param createdBy the user id of the creator, or null
 * @param updatedBy the user id of the last changer, or null
 */
public record VirtualKey(
        String token,
        @Nullable String keyName,
        @Nullable String keyAlias,
        double spend,
        @Nullable Double maxBudget,
        @Nullable Double softBudget,
        @Nullable String budgetDuration,
        @Nullable Instant budgetResetAt,
        @Nullable Instant expires,
        List<String> models,
        String aliases,
        @Nullable String userId,
        @Nullable String teamId,
        @Nullable Long tpmLimit,
        @Nullable Long rpmLimit,
        @Nullable Integer maxParallelRequests,
        Map<String, Long> modelRpmLimit,
        Map<String, Long> modelTpmLimit,
        String metadata,
        List<String> tags,
        boolean blocked,
        Instant createdAt,
        Instant updatedAt,
        @Nullable String createdBy,
        @Nullable String updatedBy) {

    /** Validates the key and copies its collections. */
    public VirtualKey {
        KeyHash.requireHash(token);
        models = List.copyOf(models);
        requireNonNull(aliases, "aliases");
        modelRpmLimit = Map.copyOf(modelRpmLimit);
        modelTpmLimit = Map.copyOf(modelTpmLimit);
        requireNonNull(metadata, "metadata");
        tags = List.copyOf(tags);
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
    }

    /** A builder for a new key with this hash; {@code createdAt} and {@code updatedAt} default to the epoch. */
    public static Builder builder(String token) {
        return new Builder(token);
    }

    /** Whether the key has expired at {@code now}. */
    public boolean isExpiredAt(Instant now) {
        return expires != null && expires.isBefore(now);
    }

    /** A builder holding this key's values. */
    public Builder toBuilder() {
        Builder b = new Builder(token);
        b.keyName = keyName;
        b.keyAlias = keyAlias;
        b.spend = spend;
        b.maxBudget = maxBudget;
        b.softBudget = softBudget;
        b.budgetDuration = budgetDuration;
        b.budgetResetAt = budgetResetAt;
        b.expires = expires;
        b.models = models;
        b.aliases = aliases;
        b.userId = userId;
        b.teamId = teamId;
        b.tpmLimit = tpmLimit;
        b.rpmLimit = rpmLimit;
        b.maxParallelRequests = maxParallelRequests;
        b.modelRpmLimit = modelRpmLimit;
        b.modelTpmLimit = modelTpmLimit;
        b.metadata = metadata;
        b.tags = tags;
        b.blocked = blocked;
        b.createdAt = createdAt;
        b.updatedAt = updatedAt;
        b.createdBy = createdBy;
        b.updatedBy = updatedBy;
        return b;
    }

    /** Builds a {@link VirtualKey}. Not thread-safe. */
    public static final class Builder {
        private String token;
        private @Nullable String keyName;
        private @Nullable String keyAlias;
        private double spend;
        private @Nullable Double maxBudget;
        private @Nullable Double softBudget;
        private @Nullable String budgetDuration;
        private @Nullable Instant budgetResetAt;
        private @Nullable Instant expires;
        private List<String> models = List.of();
        private String aliases = "{}";
        private @Nullable String userId;
        private @Nullable String teamId;
        private @Nullable Long tpmLimit;
        private @Nullable Long rpmLimit;
        private @Nullable Integer maxParallelRequests;
        private Map<String, Long> modelRpmLimit = Map.of();
        private Map<String, Long> modelTpmLimit = Map.of();
        private String metadata = "{}";
        private List<String> tags = List.of();
        private boolean blocked;
        private Instant createdAt = Instant.EPOCH;
        private Instant updatedAt = Instant.EPOCH;
        private @Nullable String createdBy;
        private @Nullable String updatedBy;

        private Builder(String token) {
            this.token = token;
        }

        /** Sets the hash (for a regenerated key). */
        public Builder token(String value) {
            token = value;
            return this;
        }

        /** Sets {@link VirtualKey#keyName()}. */
        public Builder keyName(@Nullable String value) {
            keyName = value;
            return this;
        }

        /** Sets {@link VirtualKey#keyAlias()}. */
        public Builder keyAlias(@Nullable String value) {
            keyAlias = value;
            return this;
        }

        /** Sets {@link VirtualKey#spend()}. */
        public Builder spend(double value) {
            spend = value;
            return this;
        }

        /** Sets {@link VirtualKey#maxBudget()}. */
        public Builder maxBudget(@Nullable Double value) {
            maxBudget = value;
            return this;
        }

        /** Sets {@link VirtualKey#softBudget()}. */
        public Builder softBudget(@Nullable Double value) {
            softBudget = value;
            return this;
        }

        /** Sets {@link VirtualKey#budgetDuration()}. */
        public Builder budgetDuration(@Nullable String value) {
            budgetDuration = value;
            return this;
        }

        /** Sets {@link VirtualKey#budgetResetAt()}. */
        public Builder budgetResetAt(@Nullable Instant value) {
            budgetResetAt = value;
            return this;
        }

        /** Sets {@link VirtualKey#expires()}. */
        public Builder expires(@Nullable Instant value) {
            expires = value;
            return this;
        }

        /** Sets {@link VirtualKey#models()}. */
        public Builder models(List<String> value) {
            models = value;
            return this;
        }

        /** Sets {@link VirtualKey#aliases()}, a JSON object. */
        public Builder aliases(String value) {
            aliases = value;
            return this;
        }

        /** Sets {@link VirtualKey#userId()}. */
        public Builder userId(@Nullable String value) {
            userId = value;
            return this;
        }

        /** Sets {@link VirtualKey#teamId()}. */
        public Builder teamId(@Nullable String value) {
            teamId = value;
            return this;
        }

        /** Sets {@link VirtualKey#tpmLimit()}. */
        public Builder tpmLimit(@Nullable Long value) {
            tpmLimit = value;
            return this;
        }

        /** Sets {@link VirtualKey#rpmLimit()}. */
        public Builder rpmLimit(@Nullable Long value) {
            rpmLimit = value;
            return this;
        }

        /** Sets {@link VirtualKey#maxParallelRequests()}. */
        public Builder maxParallelRequests(@Nullable Integer value) {
            maxParallelRequests = value;
            return this;
        }

        /** Sets {@link VirtualKey#modelRpmLimit()}. */
        public Builder modelRpmLimit(Map<String, Long> value) {
            modelRpmLimit = value;
            return this;
        }

        /** Sets {@link VirtualKey#modelTpmLimit()}. */
        public Builder modelTpmLimit(Map<String, Long> value) {
            modelTpmLimit = value;
            return this;
        }

        /** Sets {@link VirtualKey#metadata()}, a JSON object. */
        public Builder metadata(String value) {
            metadata = value;
            return this;
        }

        /** Sets {@link VirtualKey#tags()}. */
        public Builder tags(List<String> value) {
            tags = value;
            return this;
        }

        /** Sets {@link VirtualKey#blocked()}. */
        public Builder blocked(boolean value) {
            blocked = value;
            return this;
        }

        /** Sets {@link VirtualKey#createdAt()}. */
        public Builder createdAt(Instant value) {
            createdAt = value;
            return this;
        }

        /** Sets {@link VirtualKey#updatedAt()}. */
        public Builder updatedAt(Instant value) {
            updatedAt = value;
            return this;
        }

        /** Sets {@link VirtualKey#createdBy()}. */
        public Builder createdBy(@Nullable String value) {
            createdBy = value;
            return this;
        }

        /** Sets {@link VirtualKey#updatedBy()}. */
        public Builder updatedBy(@Nullable String value) {
            updatedBy = value;
            return this;
        }

        /**
         * Builds the key.
         *
         * @throws IllegalArgumentException if the token is not a SHA-256 hex string
         */
        public VirtualKey build() {
            return new VirtualKey(token, keyName, keyAlias, spend, maxBudget, softBudget, budgetDuration,
                    budgetResetAt, expires, models, aliases, userId, teamId, tpmLimit, rpmLimit, maxParallelRequests,
                    modelRpmLimit, modelTpmLimit, metadata, tags, blocked, createdAt, updatedAt, createdBy, updatedBy);
        }
    }
}
