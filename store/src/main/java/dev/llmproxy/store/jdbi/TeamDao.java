package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.Team;
import dev.llmproxy.store.TeamMembership;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jspecify.annotations.Nullable;

/**
 * SQL for {@code LiteLLM_TeamTable} and {@code LiteLLM_TeamMembership}; list and map columns are bound as JSON text
 * prepared by the caller.
 */
interface TeamDao {
    String TABLE = "\"LiteLLM_TeamTable\"";
    String MEMBERS = "\"LiteLLM_TeamMembership\"";
    String COLUMNS = "team_id, team_alias, organization_id, models, max_budget, soft_budget, spend, tpm_limit, "
            + "rpm_limit, max_parallel_requests, model_rpm_limit, model_tpm_limit, budget_duration, budget_reset_at, "
            + "blocked, team_member_budget, team_member_budget_duration, team_member_key_duration, metadata, "
            + "created_at, updated_at";
    String MEMBER_COLUMNS =
            "team_id, user_id, role, spend, max_budget, created_at, budget_duration, budget_reset_at";
    String FILTER = "(CAST(:org AS TEXT) IS NULL OR organization_id = :org)";

    @SqlUpdate("INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (:t.teamId, :t.teamAlias, :t.organizationId, "
            + ":models, :t.maxBudget, :t.softBudget, :t.spend, :t.tpmLimit, :t.rpmLimit, :t.maxParallelRequests, "
            + ":modelRpmLimit, :modelTpmLimit, :t.budgetDuration, :t.budgetResetAt, :t.blocked, :t.teamMemberBudget, "
            + ":t.teamMemberBudgetDuration, :t.teamMemberKeyDuration, :t.metadata, :t.createdAt, :t.updatedAt)")
    void insert(
            @BindMethods("t") Team team,
            @Bind("models") String models,
            @Bind("modelRpmLimit") String modelRpmLimit,
            @Bind("modelTpmLimit") String modelTpmLimit);

    @SqlUpdate("UPDATE " + TABLE + " SET team_alias = :t.teamAlias, organization_id = :t.organizationId, "
            + "models = :models, max_budget = :t.maxBudget, soft_budget = :t.softBudget, tpm_limit = :t.tpmLimit, "
            + "rpm_limit = :t.rpmLimit, max_parallel_requests = :t.maxParallelRequests, "
            + "model_rpm_limit = :modelRpmLimit, model_tpm_limit = :modelTpmLimit, "
            + "budget_duration = :t.budgetDuration, budget_reset_at = :t.budgetResetAt, blocked = :t.blocked, "
            + "team_member_budget = :t.teamMemberBudget, team_member_budget_duration = :t.teamMemberBudgetDuration, "
            + "team_member_key_duration = :t.teamMemberKeyDuration, "
            + "metadata = :t.metadata, updated_at = :t.updatedAt WHERE team_id = :t.teamId")
    int update(
            @BindMethods("t") Team team,
            @Bind("models") String models,
            @Bind("modelRpmLimit") String modelRpmLimit,
            @Bind("modelTpmLimit") String modelTpmLimit);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE team_id = :id")
    Optional<Team> find(@Bind("id") String teamId);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE updated_at >= :since ORDER BY updated_at, team_id")
    List<Team> changedSince(@Bind("since") Instant since);

    /** Moves a team whose memberships changed, so that other instances re-read it with its members. */
    @SqlUpdate("UPDATE " + TABLE + " SET updated_at = :now WHERE team_id = :id")
    int touch(@Bind("id") String teamId, @Bind("now") Instant now);

    @SqlUpdate("UPDATE " + TABLE + " SET blocked = :blocked, updated_at = :now WHERE team_id = :id")
    int setBlocked(@Bind("id") String teamId, @Bind("blocked") boolean blocked, @Bind("now") Instant now);

    @SqlQuery("SELECT team_id FROM " + TABLE + " WHERE team_id IN (<ids>) ORDER BY team_id")
    List<String> existing(@BindList("ids") Collection<String> teamIds);

    @SqlUpdate("DELETE FROM " + TABLE + " WHERE team_id IN (<ids>)")
    int delete(@BindList("ids") Collection<String> teamIds);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE " + FILTER
            + " ORDER BY created_at DESC, team_id DESC LIMIT :limit OFFSET :offset")
    List<Team> list(
            @Bind("org") @Nullable String organizationId, @Bind("limit") int limit, @Bind("offset") long offset);

    @SqlQuery("SELECT count(*) FROM " + TABLE + " WHERE " + FILTER)
    long count(@Bind("org") @Nullable String organizationId);

    @SqlUpdate("INSERT INTO " + MEMBERS + " (" + MEMBER_COLUMNS + ") VALUES (:m.teamId, :m.userId, :m.role, "
            + ":m.spend, :m.maxBudget, :m.createdAt, :m.budgetDuration, :m.budgetResetAt)")
    void insertMember(@BindMethods("m") TeamMembership membership);

    @SqlUpdate("UPDATE " + MEMBERS + " SET role = :m.role, max_budget = :m.maxBudget, "
            + "budget_duration = :m.budgetDuration, budget_reset_at = :m.budgetResetAt "
            + "WHERE team_id = :m.teamId AND user_id = :m.userId")
    int updateMember(@BindMethods("m") TeamMembership membership);

    @SqlUpdate("DELETE FROM " + MEMBERS + " WHERE team_id = :team AND user_id = :user")
    int deleteMember(@Bind("team") String teamId, @Bind("user") String userId);

    @SqlQuery("SELECT " + MEMBER_COLUMNS + " FROM " + MEMBERS + " WHERE team_id = :team AND user_id = :user")
    Optional<TeamMembership> findMember(@Bind("team") String teamId, @Bind("user") String userId);

    @SqlQuery("SELECT " + MEMBER_COLUMNS + " FROM " + MEMBERS + " WHERE team_id = :team ORDER BY user_id")
    List<TeamMembership> members(@Bind("team") String teamId);

    @SqlQuery("SELECT " + MEMBER_COLUMNS + " FROM " + MEMBERS + " WHERE user_id = :user ORDER BY team_id")
    List<TeamMembership> membershipsOf(@Bind("user") String userId);
}
