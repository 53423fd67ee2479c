package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A user: the owner of personal keys and a member of teams. Row of {@code LiteLLM_UserTable}. Immutable.
 *
 * @param userId the user's id
 * @param userAlias a display name, or null
 * @param userEmail the e-mail address, or null
 * @param userRole {@code proxy_admin}, {@code proxy_admin_viewer}, {@code internal_user}, {@code internal_user_viewer},
 *     ..., or null
 * @param maxBudget the USD cap over the user's personal keys, or null
 * @param spend USD spent since the last reset
 * @param models the models the user may use; empty means all
 * @param tpmLimit tokens per minute, or null
 * @param rpmLimit requests per minute, or null
 * @param maxParallelRequests concurrent requests, or null
 * @param budgetDuration how often spend resets, or null
 * @param budgetResetAt when spend resets next, or null
 * @param metadata a JSON object the store does not interpret
 * @param createdAt when the user was created
 * @param updatedAt when the user was last changed
 */
public record User(
        String userId,
        @Nullable String userAlias,
        @Nullable String userEmail,
        @Nullable String userRole,
        @Nullable Double maxBudget,
        double spend,
        List<String> models,
        @Nullable Long tpmLimit,
        @Nullable Long rpmLimit,
        @Nullable Integer maxParallelRequests,
        @Nullable String budgetDuration,
        @Nullable Instant budgetResetAt,
        String metadata,
        Instant createdAt,
        Instant updatedAt) {

    /** Validates the row and copies its collections. */
    public User {
        requireNonNull(userId, "userId");
        models = List.copyOf(models);
        requireNonNull(metadata, "metadata");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
    }

    /** A builder for a new row with this id; {@code createdAt} and {@code updatedAt} default to the epoch. */
    public static Builder builder(String userId) {
        return new Builder(userId);
    }

    /** A builder holding this row's values. */
    public Builder toBuilder() {
        Builder b = new Builder(userId);
        b.userAlias = userAlias;
        b.userEmail = userEmail;
        b.userRole = userRole;
        b.maxBudget = maxBudget;
        b.spend = spend;
        b.models = models;
        b.tpmLimit = tpmLimit;
        b.rpmLimit = rpmLimit;
        b.maxParallelRequests = maxParallelRequests;
        b.budgetDuration = budgetDuration;
        b.budgetResetAt = budgetResetAt;
        b.metadata = metadata;
        b.createdAt = createdAt;
        b.updatedAt = updatedAt;
        return b;
    }

    /** Builds a {@link User}. Not thread-safe. */
    public static final class Builder {
        private String userId;
        private @Nullable String userAlias;
        private @Nullable String userEmail;
        private @Nullable String userRole;
        private @Nullable Double maxBudget;
        private double spend;
        private List<String> models = List.of();
        private @Nullable Long tpmLimit;
        private @Nullable Long rpmLimit;
        private @Nullable Integer maxParallelRequests;
        private @Nullable String budgetDuration;
        private @Nullable Instant budgetResetAt;
        private String metadata = "{}";
        private Instant createdAt = Instant.EPOCH;
        private Instant updatedAt = Instant.EPOCH;

        private Builder(String userId) {
            this.userId = userId;
        }

        /** Sets {@link User#userAlias()}. */
        public Builder userAlias(@Nullable String value) {
            userAlias = value;
            return this;
        }

        /** Sets {@link User#userEmail()}. */
        public Builder userEmail(@Nullable String value) {
            userEmail = value;
            return this;
        }

        /** Sets {@link User#userRole()}. */
        public Builder userRole(@Nullable String value) {
            userRole = value;
            return this;
        }

        /** Sets {@link User#maxBudget()}. */
        public Builder maxBudget(@Nullable Double value) {
            maxBudget = value;
            return this;
        }

        /** Sets {@link User#spend()}. */
        public Builder spend(double value) {
            spend = value;
            return this;
        }

        /** Sets {@link User#models()}. */
        public Builder models(List<String> value) {
            models = value;
            return this;
        }

        /** Sets {@link User#tpmLimit()}. */
        public Builder tpmLimit(@Nullable Long value) {
            tpmLimit = value;
            return this;
        }

        /** Sets {@link User#rpmLimit()}. */
        public Builder rpmLimit(@Nullable Long value) {
            rpmLimit = value;
            return this;
        }

        /** Sets {@link User#maxParallelRequests()}. */
        public Builder maxParallelRequests(@Nullable Integer value) {
            maxParallelRequests = value;
            return this;
        }

        /** Sets {@link User#budgetDuration()}. */
        public Builder budgetDuration(@Nullable String value) {
            budgetDuration = value;
            return this;
        }

        /** Sets {@link User#budgetResetAt()}. */
        public Builder budgetResetAt(@Nullable Instant value) {
            budgetResetAt = value;
            return this;
        }

        /** Sets {@link User#metadata()}. */
        public Builder metadata(String value) {
            metadata = value;
            return this;
        }

        /** Sets {@link User#createdAt()}. */
        public Builder createdAt(Instant value) {
            createdAt = value;
            return this;
        }

        /** Sets {@link User#updatedAt()}. */
        public Builder updatedAt(Instant value) {
            updatedAt = value;
            return this;
        }

        /** Builds the row. */
        public User build() {
            return new User(userId, userAlias, userEmail, userRole, maxBudget, spend, models, tpmLimit, rpmLimit,
                    maxParallelRequests, budgetDuration, budgetResetAt, metadata, createdAt, updatedAt);
        }
    }
}
