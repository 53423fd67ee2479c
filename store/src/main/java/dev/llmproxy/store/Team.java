package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A team: keys belong to it, users are its members. Row of {@code LiteLLM_TeamTable}. Immutable.
 *
 * @param teamId the team's id
 * @param teamAlias a display name, or null
 * @param organizationId the organisation, or null
 * @param models the models the team's keys may use; empty means all
 * @param maxBudget the USD cap over the team's keys, or null
 * @param softBudget the USD level at which alerts fire, or null
 * @param spend USD spent since the last reset
 * @param tpmLimit tokens per minute, or null
 * @param rpmLimit requests per minute, or null
 * @param maxParallelRequests concurrent requests, or null
 * @param modelRpmLimit requests per minute per model
 * @param modelTpmLimit tokens per minute per model
 * @param budgetDuration how often spend resets, or null
 * @param budgetResetAt when spend resets next, or null
 * @param blocked whether every key of the team is refused
 * @param teamMemberBudget the {@code max_budget_in_team} each member added from now on gets when none is given
 *     ({@code team_member_budget}), or null
 * @param teamMemberBudgetDuration that budget's {@code budget_duration} ({@code team_member_budget_duration}), or null
 * @param teamMemberKeyDuration the {@code duration} of a key generated for a member of the team without one
 *     ({@code team_member_key_duration}), or null
 * @param metadata a JSON object the store does not interpret
 * @param createdAt when the team was created
 * @param updatedAt when the team was last changed
 */
public record Team(
        String teamId,
        @Nullable String teamAlias,
        @Nullable String organizationId,
        List<String> models,
        @Nullable Double maxBudget,
        @Nullable Double softBudget,
        double spend,
        @Nullable Long tpmLimit,
        @Nullable Long rpmLimit,
        @Nullable Integer maxParallelRequests,
        Map<String, Long> modelRpmLimit,
        Map<String, Long> modelTpmLimit,
        @Nullable String budgetDuration,
        @Nullable Instant budgetResetAt,
        boolean blocked,
        @Nullable Double teamMemberBudget,
        @Nullable String teamMemberBudgetDuration,
        @Nullable String teamMemberKeyDuration,
        String metadata,
        Instant createdAt,
        Instant updatedAt) {

    /** Validates the row and copies its collections. */
    public Team {
        requireNonNull(teamId, "teamId");
        models = List.copyOf(models);
        modelRpmLimit = Map.copyOf(modelRpmLimit);
        modelTpmLimit = Map.copyOf(modelTpmLimit);
        requireNonNull(metadata, "metadata");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
    }

    /** A builder for a new row with this id; {@code createdAt} and {@code updatedAt} default to the epoch. */
    public static Builder builder(String teamId) {
        return new Builder(teamId);
    }

    /** A builder holding this row's values. */
    public Builder toBuilder() {
        Builder b = new Builder(teamId);
        b.teamAlias = teamAlias;
        b.organizationId = organizationId;
        b.models = models;
        b.maxBudget = maxBudget;
        b.softBudget = softBudget;
        b.spend = spend;
        b.tpmLimit = tpmLimit;
        b.rpmLimit = rpmLimit;
        b.maxParallelRequests = maxParallelRequests;
        b.modelRpmLimit = modelRpmLimit;
        b.modelTpmLimit = modelTpmLimit;
        b.budgetDuration = budgetDuration;
        b.budgetResetAt = budgetResetAt;
        b.blocked = blocked;
        b.teamMemberBudget = teamMemberBudget;
        b.teamMemberBudgetDuration = teamMemberBudgetDuration;
        b.teamMemberKeyDuration = teamMemberKeyDuration;
        b.metadata = metadata;
        b.createdAt = createdAt;
        b.updatedAt = updatedAt;
        return b;
    }

    /** Builds a {@link Team}. Not thread-safe. */
    public static final class Builder {
        private String teamId;
        private @Nullable String teamAlias;
        private @Nullable String organizationId;
        private List<String> models = List.of();
        private @Nullable Double maxBudget;
        private @Nullable Double softBudget;
        private double spend;
        private @Nullable Long tpmLimit;
        private @Nullable Long rpmLimit;
        private @Nullable Integer maxParallelRequests;
        private Map<String, Long> modelRpmLimit = Map.of();
        private Map<String, Long> modelTpmLimit = Map.of();
        private @Nullable String budgetDuration;
        private @Nullable Instant budgetResetAt;
        private boolean blocked;
        private @Nullable Double teamMemberBudget;
        private @Nullable String teamMemberBudgetDuration;
        private @Nullable String teamMemberKeyDuration;
        private String metadata = "{}";
        private Instant createdAt = Instant.EPOCH;
        private Instant updatedAt = Instant.EPOCH;

        private Builder(String teamId) {
            this.teamId = teamId;
        }

        /** Sets {@link Team#teamAlias()}. */
        public Builder teamAlias(@Nullable String value) {
            teamAlias = value;
            return this;
        }

        /** Sets {@link Team#organizationId()}. */
        public Builder organizationId(@Nullable String value) {
            organizationId = value;
            return this;
        }

        /** Sets {@link Team#models()}. */
        public Builder models(List<String> value) {
            models = value;
            return this;
        }

        /** Sets {@link Team#maxBudget()}. */
        public Builder maxBudget(@Nullable Double value) {
            maxBudget = value;
            return this;
        }

        /** Sets {@link Team#softBudget()}. */
        public Builder softBudget(@Nullable Double value) {
            softBudget = value;
            return this;
        }

        /** Sets {@link Team#spend()}. */
        public Builder spend(double value) {
            spend = value;
            return this;
        }

        /** Sets {@link Team#tpmLimit()}. */
        public Builder tpmLimit(@Nullable Long value) {
            tpmLimit = value;
            return this;
        }

        /** Sets {@link Team#rpmLimit()}. */
        public Builder rpmLimit(@Nullable Long value) {
            rpmLimit = value;
            return this;
        }

        /** Sets {@link Team#maxParallelRequests()}. */
        public Builder maxParallelRequests(@Nullable Integer value) {
            maxParallelRequests = value;
            return this;
        }

        /** Sets {@link Team#modelRpmLimit()}. */
        public Builder modelRpmLimit(Map<String, Long> value) {
            modelRpmLimit = value;
            return this;
        }

        /** Sets {@link Team#modelTpmLimit()}. */
        public Builder modelTpmLimit(Map<String, Long> value) {
            modelTpmLimit = value;
            return this;
        }

        /** Sets {@link Team#budgetDuration()}. */
        public Builder budgetDuration(@Nullable String value) {
            budgetDuration = value;
            return this;
        }

        /** Sets {@link Team#budgetResetAt()}. */
        public Builder budgetResetAt(@Nullable Instant value) {
            budgetResetAt = value;
            return this;
        }

        /** Sets {@link Team#blocked()}. */
        public Builder blocked(boolean value) {
            blocked = value;
            return this;
        }

        /** Sets {@link Team#teamMemberBudget()}. */
        public Builder teamMemberBudget(@Nullable Double value) {
            teamMemberBudget = value;
            return this;
        }

        /** Sets {@link Team#teamMemberBudgetDuration()}. */
        public Builder teamMemberBudgetDuration(@Nullable String value) {
            teamMemberBudgetDuration = value;
            return this;
        }

        /** Sets {@link Team#teamMemberKeyDuration()}. */
        public Builder teamMemberKeyDuration(@Nullable String value) {
            teamMemberKeyDuration = value;
            return this;
        }

        /** Sets {@link Team#metadata()}. */
        public Builder metadata(String value) {
            metadata = value;
            return this;
        }

        /** Sets {@link Team#createdAt()}. */
        public Builder createdAt(Instant value) {
            createdAt = value;
            return this;
        }

        /** Sets {@link Team#updatedAt()}. */
        public Builder updatedAt(Instant value) {
            updatedAt = value;
            return this;
        }

        /** Builds the row. */
        public Team build() {
            return new Team(teamId, teamAlias, organizationId, models, maxBudget, softBudget, spend, tpmLimit, rpmLimit,
                    maxParallelRequests, modelRpmLimit, modelTpmLimit, budgetDuration, budgetResetAt, blocked,
                    teamMemberBudget, teamMemberBudgetDuration, teamMemberKeyDuration, metadata, createdAt, updatedAt);
        }
    }
}
