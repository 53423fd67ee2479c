package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.Budget;
import dev.llmproxy.store.EndUser;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** SQL for {@code LiteLLM_EndUserTable} and {@code LiteLLM_BudgetTable}; reads join each end user to its budget. */
interface EndUserDao {
    String TABLE = "\"LiteLLM_EndUserTable\"";
    String BUDGETS = "\"LiteLLM_BudgetTable\"";
    String SELECT = "SELECT e.user_id, e.alias, e.spend, e.allowed_model_region, e.default_model, e.budget_id, "
            + "e.blocked, e.metadata, e.updated_at, b.budget_id AS b_budget_id, b.max_budget AS b_max_budget, "
            + "b.soft_budget AS b_soft_budget, b.max_parallel_requests AS b_max_parallel_requests, "
            + "b.tpm_limit AS b_tpm_limit, b.rpm_limit AS b_rpm_limit, b.budget_duration AS b_budget_duration, "
            + "b.budget_reset_at AS b_budget_reset_at, b.created_at AS b_created_at, b.created_by AS b_created_by, "
            + "b.updated_at AS b_updated_at, b.updated_by AS b_updated_by FROM " + TABLE + " e LEFT JOIN " + BUDGETS
            + " b ON b.budget_id = e.budget_id ";

    @SqlUpdate("INSERT INTO " + TABLE + " (user_id, alias, spend, allowed_model_region, default_model, budget_id, "
            + "blocked, metadata, updated_at) VALUES (:e.userId, :e.alias, :e.spend, :e.allowedModelRegion, "
            + ":e.defaultModel, :e.budgetId, :e.blocked, :e.metadata, :e.updatedAt)")
    void insert(@BindMethods("e") EndUser endUser);

    @SqlUpdate("UPDATE " + TABLE + " SET alias = :e.alias, allowed_model_region = :e.allowedModelRegion, "
            + "default_model = :e.defaultModel, budget_id = :e.budgetId, blocked = :e.blocked, "
            + "metadata = :e.metadata, updated_at = :e.updatedAt WHERE user_id = :e.userId")
    int update(@BindMethods("e") EndUser endUser);

    @SqlUpdate("UPDATE " + TABLE + " SET blocked = :blocked, updated_at = :now WHERE user_id IN (<ids>)")
    int setBlocked(@BindList("ids") Collection<String> userIds, @Bind("blocked") boolean blocked,
            @Bind("now") Instant now);

    @SqlQuery(SELECT + "WHERE e.user_id = :id")
    Optional<EndUser> find(@Bind("id") String userId);

    @SqlQuery(SELECT + "WHERE e.user_id IN (<ids>) ORDER BY e.user_id")
    List<EndUser> findAll(@BindList("ids") Collection<String> userIds);

    @SqlUpdate("DELETE FROM " + TABLE + " WHERE user_id IN (<ids>)")
    int delete(@BindList("ids") Collection<String> userIds);

    @SqlQuery(SELECT + "ORDER BY e.user_id LIMIT :limit OFFSET :offset")
    List<EndUser> list(@Bind("limit") int limit, @Bind("offset") long offset);

    @SqlQuery("SELECT count(*) FROM " + TABLE)
    long count();

    @SqlQuery(SELECT + "WHERE e.blocked OR e.budget_id IS NOT NULL ORDER BY e.user_id")
    List<EndUser> restricted();

    @SqlQuery(SELECT + "WHERE e.updated_at >= :since ORDER BY e.updated_at, e.user_id")
    List<EndUser> changedSince(@Bind("since") Instant since);

    @SqlUpdate("INSERT INTO " + BUDGETS + " (budget_id, max_budget, soft_budget, max_parallel_requests, tpm_limit, "
            + "rpm_limit, budget_duration, budget_reset_at, created_at, created_by, updated_at, updated_by) VALUES "
            + "(:b.budgetId, :b.maxBudget, :b.softBudget, :b.maxParallelRequests, :b.tpmLimit, :b.rpmLimit, "
            + ":b.budgetDuration, :b.budgetResetAt, :b.createdAt, :b.createdBy, :b.updatedAt, :b.updatedBy)")
    void insertBudget(@BindMethods("b") Budget budget);

    @SqlUpdate("UPDATE " + BUDGETS + " SET max_budget = :b.maxBudget, soft_budget = :b.softBudget, "
            + "max_parallel_requests = :b.maxParallelRequests, tpm_limit = :b.tpmLimit, rpm_limit = :b.rpmLimit, "
            + "budget_duration = :b.budgetDuration, budget_reset_at = :b.budgetResetAt, updated_at = :b.updatedAt, "
            + "updated_by = :b.updatedBy WHERE budget_id = :b.budgetId")
    int updateBudget(@BindMethods("b") Budget budget);

    /** Moves the end users of a changed budget, so that other instances re-read them. */
    @SqlUpdate("UPDATE " + TABLE + " SET updated_at = :now WHERE budget_id = :id")
    int touchBudgetUsers(@Bind("id") String budgetId, @Bind("now") Instant now);

    @SqlQuery("SELECT budget_id, max_budget, soft_budget, max_parallel_requests, tpm_limit, rpm_limit, "
            + "budget_duration, budget_reset_at, created_at, created_by, updated_at, updated_by FROM " + BUDGETS
            + " WHERE budget_id = :id")
    Optional<Budget> findBudget(@Bind("id") String budgetId);
}
