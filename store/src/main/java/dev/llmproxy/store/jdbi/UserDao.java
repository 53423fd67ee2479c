package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.User;
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

/** SQL for {@code LiteLLM_UserTable}; the {@code models} list is bound as JSON text prepared by the caller. */
interface UserDao {
    String TABLE = "\"LiteLLM_UserTable\"";
    String COLUMNS = "user_id, user_alias, user_email, user_role, max_budget, spend, models, tpm_limit, rpm_limit, "
            + "max_parallel_requests, budget_duration, budget_reset_at, metadata, created_at, updated_at";
    String FILTER = "(CAST(:role AS TEXT) IS NULL OR user_role = :role)";

    @SqlUpdate("INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (:u.userId, :u.userAlias, :u.userEmail, "
            + ":u.userRole, :u.maxBudget, :u.spend, :models, :u.tpmLimit, :u.rpmLimit, :u.maxParallelRequests, "
            + ":u.budgetDuration, :u.budgetResetAt, :u.metadata, :u.createdAt, :u.updatedAt)")
    void insert(@BindMethods("u") User user, @Bind("models") String models);

    @SqlUpdate("UPDATE " + TABLE + " SET user_alias = :u.userAlias, user_email = :u.userEmail, "
            + "user_role = :u.userRole, max_budget = :u.maxBudget, models = :models, tpm_limit = :u.tpmLimit, "
            + "rpm_limit = :u.rpmLimit, max_parallel_requests = :u.maxParallelRequests, "
            + "budget_duration = :u.budgetDuration, budget_reset_at = :u.budgetResetAt, metadata = :u.metadata, "
            + "updated_at = :u.updatedAt WHERE user_id = :u.userId")
    int update(@BindMethods("u") User user, @Bind("models") String models);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE user_id = :id")
    Optional<User> find(@Bind("id") String userId);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE lower(user_email) = lower(:email) "
            + "ORDER BY created_at, user_id LIMIT 1")
    Optional<User> findByEmail(@Bind("email") String email);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE updated_at >= :since ORDER BY updated_at, user_id")
    List<User> changedSince(@Bind("since") Instant since);

    @SqlQuery("SELECT user_id FROM " + TABLE + " WHERE user_id IN (<ids>) ORDER BY user_id")
    List<String> existing(@BindList("ids") Collection<String> userIds);

    @SqlUpdate("DELETE FROM " + TABLE + " WHERE user_id IN (<ids>)")
    int delete(@BindList("ids") Collection<String> userIds);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE " + FILTER
            + " ORDER BY created_at DESC, user_id DESC LIMIT :limit OFFSET :offset")
    List<User> list(@Bind("role") @Nullable String role, @Bind("limit") int limit, @Bind("offset") long offset);

    @SqlQuery("SELECT count(*) FROM " + TABLE + " WHERE " + FILTER)
    long count(@Bind("role") @Nullable String role);
}
