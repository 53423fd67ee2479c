package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.KeyQuery;
import dev.llmproxy.store.VirtualKey;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jspecify.annotations.Nullable;

/**
 * SQL for {@code LiteLLM_VerificationToken}. List and map columns are bound as JSON text prepared by the caller
 * ({@link JsonText}); the other values come from the {@link VirtualKey} record. The SQL avoids {@code <>}, which
 * JDBI's template engine would read as an attribute.
 */
interface KeyDao {
    String TABLE = "\"LiteLLM_VerificationToken\"";
    String COLUMNS = "token, key_name, key_alias, spend, max_budget, soft_budget, budget_duration, budget_reset_at, "
            + "expires, models, aliases, user_id, team_id, tpm_limit, rpm_limit, max_parallel_requests, "
            + "model_rpm_limit, model_tpm_limit, metadata, tags, blocked, created_at, updated_at, created_by, "
            + "updated_by";
    String FILTER = "(team_id IS NULL OR team_id != '" + KeyQuery.UI_SESSION_TEAM_ID + "')"
            + " AND (CAST(:q.userId AS TEXT) IS NULL OR user_id = :q.userId)"
            + " AND (CAST(:q.teamId AS TEXT) IS NULL OR team_id = :q.teamId)"
            + " AND (CAST(:q.keyAlias AS TEXT) IS NULL OR key_alias = :q.keyAlias)"
            + " AND (CAST(:q.token AS TEXT) IS NULL OR token = :q.token)";

    @SqlUpdate("INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (:k.token, :k.keyName, :k.keyAlias, :k.spend, "
            + ":k.maxBudget, :k.softBudget, :k.budgetDuration, :k.budgetResetAt, :k.expires, :models, :k.aliases, "
            + ":k.userId, :k.teamId, :k.tpmLimit, :k.rpmLimit, :k.maxParallelRequests, :modelRpmLimit, "
            + ":modelTpmLimit, :k.metadata, :tags, :k.blocked, :k.createdAt, :k.updatedAt, :k.createdBy, "
            + ":k.updatedBy)")
    void insert(
            @BindMethods("k") VirtualKey key,
            @Bind("models") String models,
            @Bind("modelRpmLimit") String modelRpmLimit,
            @Bind("modelTpmLimit") String modelTpmLimit,
            @Bind("tags") String tags);

    @SqlUpdate("UPDATE " + TABLE + " SET key_name = :k.keyName, key_alias = :k.keyAlias, max_budget = :k.maxBudget, "
            + "soft_budget = :k.softBudget, budget_duration = :k.budgetDuration, "
            + "budget_reset_at = :k.budgetResetAt, expires = :k.expires, models = :models, aliases = :k.aliases, "
            + "user_id = :k.userId, team_id = :k.teamId, tpm_limit = :k.tpmLimit, rpm_limit = :k.rpmLimit, "
            + "max_parallel_requests = :k.maxParallelRequests, model_rpm_limit = :modelRpmLimit, "
            + "model_tpm_limit = :modelTpmLimit, metadata = :k.metadata, tags = :tags, blocked = :k.blocked, "
            + "updated_at = :k.updatedAt, updated_by = :k.updatedBy WHERE token = :k.token")
    int update(
            @BindMethods("k") VirtualKey key,
            @Bind("models") String models,
            @Bind("modelRpmLimit") String modelRpmLimit,
            @Bind("modelTpmLimit") String modelTpmLimit,
            @Bind("tags") String tags);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE token = :token")
    Optional<VirtualKey> find(@Bind("token") String token);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE key_alias = :alias ORDER BY created_at, token LIMIT 1")
    Optional<VirtualKey> findByAlias(@Bind("alias") String keyAlias);

    @SqlQuery("SELECT count(*) FROM " + TABLE + " WHERE key_alias = :alias AND token != :token")
    int countAliasElsewhere(@Bind("alias") String keyAlias, @Bind("token") String token);

    @SqlUpdate("UPDATE " + TABLE + " SET blocked = :blocked, updated_at = :now WHERE token = :token")
    int setBlocked(@Bind("token") String token, @Bind("blocked") boolean blocked, @Bind("now") Instant now);

    @SqlUpdate("UPDATE " + TABLE + " SET spend = :spend, budget_reset_at = :resetAt, updated_at = :now "
            + "WHERE token = :token")
    int resetSpend(
            @Bind("token") String token,
            @Bind("spend") double spend,
            @Bind("resetAt") @Nullable Instant budgetResetAt,
            @Bind("now") Instant now);

    @SqlQuery("SELECT token FROM " + TABLE + " WHERE token IN (<tokens>) ORDER BY token")
    List<String> existing(@BindList("tokens") Collection<String> tokens);

    @SqlQuery("SELECT token FROM " + TABLE + " WHERE key_alias IN (<aliases>) ORDER BY token")
    List<String> tokensByAlias(@BindList("aliases") Collection<String> keyAliases);

    @SqlUpdate("DELETE FROM " + TABLE + " WHERE token IN (<tokens>)")
    int delete(@BindList("tokens") Collection<String> tokens);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE " + FILTER
            + " ORDER BY <sort> <direction>, token <direction> LIMIT :limit OFFSET :offset")
    List<VirtualKey> list(
            @BindMethods("q") KeyQuery query,
            @Define("sort") String sortColumn,
            @Define("direction") String direction,
            @Bind("limit") int limit,
            @Bind("offset") long offset);

    @SqlQuery("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE updated_at > :since OR (updated_at = :since AND "
            + "token > :after) ORDER BY updated_at, token LIMIT :limit")
    List<VirtualKey> changedSince(
            @Bind("since") Instant since, @Bind("after") String afterToken, @Bind("limit") int limit);

    @SqlUpdate("UPDATE " + TABLE + " SET token = :newToken, key_name = :keyName, updated_at = :now "
            + "WHERE token = :token")
    int rehash(
            @Bind("token") String token,
            @Bind("newToken") String newToken,
            @Bind("keyName") String keyName,
            @Bind("now") Instant now);

    @SqlQuery("SELECT count(*) FROM " + TABLE + " WHERE " + FILTER)
    long count(@BindMethods("q") KeyQuery query);
}
