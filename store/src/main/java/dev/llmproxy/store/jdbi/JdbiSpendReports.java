package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.SpendLogQuery;
import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.SpendReports;
import dev.llmproxy.store.SpendSummaryRow;
import dev.llmproxy.store.TagSpend;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jspecify.annotations.Nullable;

/**
 * {@link SpendReports} in SQL both databases run (no alias may be a keyword of either: H2 reserves {@code DAY}).
 * Filters are bound parameters; only the presence of a filter changes the statement's text. Tags are stored as JSON
 * text, which the two databases cannot unnest alike, so rows are grouped by their tag list in SQL and the lists are
 * split here (there are few distinct lists). Thread-safe.
 */
final class JdbiSpendReports implements SpendReports {
    private static final String COLUMNS = "request_id, call_type, api_key, spend, total_tokens, prompt_tokens, "
            + "completion_tokens, \"startTime\", \"endTime\", model, model_id, model_group, custom_llm_provider, "
            + "api_base, \"user\", team_id, end_user, request_tags, status";

    private final Jdbi jdbi;

    JdbiSpendReports(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    @Override
    public List<SpendRecord> logs(SpendLogQuery q) {
        requireNonNull(q, "query");
        Where where = new Where()
                .add("api_key = :apiKey", "apiKey", q.apiKey())
                .add("request_id = :requestId", "requestId", q.requestId())
                .add("\"user\" = :userId", "userId", q.userId())
                .add("\"startTime\" >= :from", "from", q.from())
                .add("\"startTime\" < :to", "to", q.to());
        String sql = "SELECT " + COLUMNS + " FROM \"LiteLLM_SpendLogs\"" + where.sql()
                + " ORDER BY \"startTime\" DESC, request_id DESC LIMIT :limit";
        return read("spend logs", h -> where.bind(h.createQuery(sql)).bind("limit", q.limit())
                .map((rs, ctx) -> record(rs)).list());
    }

    @Override
    public List<SpendSummaryRow> summary(Instant from, Instant to, @Nullable String apiKey, @Nullable String userId) {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        Where where = new Where()
                .add("\"startTime\" >= :from", "from", from)
                .add("\"startTime\" < :to", "to", to)
                .add("api_key = :apiKey", "apiKey", apiKey)
                .add("\"user\" = :userId", "userId", userId);
        String sql = "SELECT CAST(\"startTime\" AS DATE) AS spend_day, api_key, \"user\", team_id, end_user, model, "
                + "SUM(spend) AS spend, SUM(prompt_tokens) AS prompt_tokens, "
                + "SUM(completion_tokens) AS completion_tokens, SUM(total_tokens) AS total_tokens, "
                + "COUNT(*) AS requests FROM \"LiteLLM_SpendLogs\"" + where.sql()
                + " GROUP BY CAST(\"startTime\" AS DATE), api_key, \"user\", team_id, end_user, model"
                + " ORDER BY spend_day, api_key, model";
        return read("spend summary", h -> where.bind(h.createQuery(sql)).map((rs, ctx) -> new SpendSummaryRow(
                rs.getObject("spend_day", LocalDate.class), Rows.text(rs, "api_key", ""), rs.getString("user"),
                rs.getString("team_id"), rs.getString("end_user"), Rows.text(rs, "model", ""), rs.getDouble("spend"),
                rs.getLong("prompt_tokens"), rs.getLong("completion_tokens"), rs.getLong("total_tokens"),
                rs.getLong("requests"))).list());
    }

    @Override
    public List<TagSpend> byTag(@Nullable Instant from, @Nullable Instant to) {
        Where where = new Where()
                .add("\"startTime\" >= :from", "from", from)
                .add("\"startTime\" < :to", "to", to);
        String sql = "SELECT request_tags, COUNT(*) AS requests, SUM(spend) AS spend FROM \"LiteLLM_SpendLogs\""
                + where.sql() + " GROUP BY request_tags";
        Map<String, TagSpend> totals = new LinkedHashMap<>();
        read("spend by tag", h -> {
            where.bind(h.createQuery(sql)).map((rs, ctx) -> {
                long requests = rs.getLong("requests");
                double cost = rs.getDouble("spend");
                for (String tag : JsonText.toList(rs.getString("request_tags"))) {
                    totals.merge(tag, new TagSpend(tag, requests, cost),
                            (a, b) -> new TagSpend(tag, a.requests() + b.requests(), a.spend() + b.spend()));
                }
                return Boolean.TRUE;
            }).list();
            return totals;
        });
        List<TagSpend> tags = new ArrayList<>(totals.values());
        tags.sort(Comparator.comparingDouble(TagSpend::spend).reversed().thenComparing(TagSpend::tag));
        return tags;
    }

    private <T> T read(String what, HandleCallback<T, RuntimeException> callback) {
        try {
            return jdbi.withHandle(callback);
        } catch (RuntimeException e) {
            throw Failures.translate(what, e);
        }
    }

    private static SpendRecord record(ResultSet rs) throws SQLException {
        return SpendRecord.builder(rs.getString("request_id"))
                .callType(Rows.text(rs, "call_type", ""))
                .apiKey(Rows.text(rs, "api_key", ""))
                .spend(rs.getDouble("spend"))
                .promptTokens(rs.getInt("prompt_tokens"))
                .completionTokens(rs.getInt("completion_tokens"))
                .totalTokens(rs.getInt("total_tokens"))
                .startTime(Rows.requiredInstant(rs, "startTime"))
                .endTime(Rows.requiredInstant(rs, "endTime"))
                .model(Rows.text(rs, "model", ""))
                .modelId(Rows.text(rs, "model_id", ""))
                .modelGroup(Rows.text(rs, "model_group", ""))
                .customLlmProvider(Rows.text(rs, "custom_llm_provider", ""))
                .apiBase(Rows.text(rs, "api_base", ""))
                .userId(rs.getString("user"))
                .teamId(rs.getString("team_id"))
                .endUser(rs.getString("end_user"))
                .requestTags(JsonText.toList(rs.getString("request_tags")))
                .status(Rows.text(rs, "status", "success"))
                .build();
    }

    /** The WHERE clause of the filters that are set, and their values. */
    private static final class Where {
        private final StringBuilder sql = new StringBuilder();
        private final Map<String, Object> values = new LinkedHashMap<>();

        Where add(String condition, String name, @Nullable Object value) {
            if (value != null) {
                sql.append(sql.length() == 0 ? " WHERE " : " AND ").append(condition);
                values.put(name, value);
            }
            return this;
        }

        String sql() {
            return sql.toString();
        }

        Query bind(Query query) {
            values.forEach(query::bind);
            return query;
        }
    }
}
