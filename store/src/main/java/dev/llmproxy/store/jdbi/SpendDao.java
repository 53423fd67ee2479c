package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.SpendRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * SQL of the spend writer: spend-log rows inserted at most once per request id ({@code ON CONFLICT DO NOTHING}, which
 * H2 accepts in PostgreSQL mode and answers with an update count of 0 like PostgreSQL), and spend increments.
 * Increments on missing rows update nothing, as in LiteLLM, except for end users, whose rows are created first.
 */
interface SpendDao {

    @SqlBatch("INSERT INTO \"LiteLLM_SpendLogs\" (request_id, call_type, api_key, spend, total_tokens, prompt_tokens, "
            + "completion_tokens, \"startTime\", \"endTime\", request_duration_ms, model, model_id, model_group, "
            + "custom_llm_provider, api_base, \"user\", team_id, end_user, request_tags, status) VALUES "
            + "(:r.requestId, :r.callType, :r.apiKey, :r.spend, :r.totalTokens, :r.promptTokens, "
            + ":r.completionTokens, :r.startTime, :r.endTime, :duration, :r.model, :r.modelId, :r.modelGroup, "
            + ":r.customLlmProvider, :r.apiBase, :r.userId, :r.teamId, :r.endUser, :tags, :r.status) "
            + "ON CONFLICT DO NOTHING")
    int[] insert(
            @BindMethods("r") List<SpendRecord> records,
            @Bind("duration") List<Integer> durationsMillis,
            @Bind("tags") List<String> tagsJson);

    @SqlBatch("UPDATE \"LiteLLM_VerificationToken\" SET spend = spend + :amount WHERE token = :id")
    void addKeySpend(@Bind("id") List<String> tokens, @Bind("amount") List<Double> amounts);

    @SqlBatch("UPDATE \"LiteLLM_UserTable\" SET spend = spend + :amount WHERE user_id = :id")
    void addUserSpend(@Bind("id") List<String> userIds, @Bind("amount") List<Double> amounts);

    @SqlBatch("UPDATE \"LiteLLM_TeamTable\" SET spend = spend + :amount WHERE team_id = :id")
    void addTeamSpend(@Bind("id") List<String> teamIds, @Bind("amount") List<Double> amounts);

    @SqlBatch("UPDATE \"LiteLLM_TeamMembership\" SET spend = spend + :amount WHERE team_id = :team AND user_id = :user")
    void addMemberSpend(
            @Bind("team") List<String> teamIds,
            @Bind("user") List<String> userIds,
            @Bind("amount") List<Double> amounts);

    /** Creates the end users that have no row yet (with spend 0; {@link #addEndUserSpend} adds it). */
    @SqlBatch("INSERT INTO \"LiteLLM_EndUserTable\" (user_id, spend, blocked, metadata, updated_at) "
            + "VALUES (:id, 0, FALSE, '{}', :now) ON CONFLICT DO NOTHING")
    void createEndUsers(@Bind("id") List<String> userIds, @Bind("now") Instant now);

    @SqlBatch("UPDATE \"LiteLLM_EndUserTable\" SET spend = spend + :amount WHERE user_id = :id")
    void addEndUserSpend(@Bind("id") List<String> userIds, @Bind("amount") List<Double> amounts);

    @SqlQuery("SELECT records_committed FROM llmproxy_spend_segments WHERE segment_id = :id")
    Optional<Integer> committedRecords(@Bind("id") String segmentId);

    @SqlUpdate("UPDATE llmproxy_spend_segments SET records_committed = :n, updated_at = CURRENT_TIMESTAMP "
            + "WHERE segment_id = :id")
    int advanceSegment(@Bind("id") String segmentId, @Bind("n") int recordsCommitted);

    @SqlUpdate("INSERT INTO llmproxy_spend_segments (segment_id, records_committed, updated_at) "
            + "VALUES (:id, :n, CURRENT_TIMESTAMP)")
    void insertSegment(@Bind("id") String segmentId, @Bind("n") int recordsCommitted);
}
