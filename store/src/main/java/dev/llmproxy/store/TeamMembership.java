package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A user's membership of a team. Row of {@code LiteLLM_TeamMembership}; the role, which LiteLLM keeps in the team's
 * {@code members_with_roles}, and the member's budget, which LiteLLM keeps in a budget row, are columns here.
 *
 * @param teamId the team
 * @param userId the member
 * @param role {@link #ADMIN} or {@link #USER}
 * @param spend USD the member spent through the team's keys
 * @param maxBudget the member's USD cap within the team ({@code max_budget_in_team}), or null
 * @param createdAt when the member joined
 * @param budgetDuration how often the member's spend goes back to 0 (as a key's {@code budget_duration}), or null
 * @param budgetResetAt when it goes back to 0 next, or null
 */
public record TeamMembership(
        String teamId,
        String userId,
        String role,
        double spend,
        @Nullable Double maxBudget,
        Instant createdAt,
        @Nullable String budgetDuration,
        @Nullable Instant budgetResetAt) {

    /** The role of a team admin. */
    public static final String ADMIN = "admin";

    /** The role of an ordinary member. */
    public static final String USER = "user";

    /** Validates the membership. */
    public TeamMembership {
        requireNonNull(teamId, "teamId");
        requireNonNull(userId, "userId");
        requireNonNull(role, "role");
        requireNonNull(createdAt, "createdAt");
    }

    /** A membership whose budget, if any, never resets. */
    public TeamMembership(
            String teamId, String userId, String role, double spend, @Nullable Double maxBudget, Instant createdAt) {
        this(teamId, userId, role, spend, maxBudget, createdAt, null, null);
    }
}
