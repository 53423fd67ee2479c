package dev.llmproxy.proxy.management;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.KeyQuery;
import dev.llmproxy.store.SpendLogQuery;
import dev.llmproxy.store.SpendRecord;
import dev.llmproxy.store.SpendReports;
import dev.llmproxy.store.SpendSummaryRow;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.TagSpend;
import dev.llmproxy.store.VirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What the {@code /spend/...} and {@code /global/spend/...} routes read, on a store thread, with LiteLLM's query
 * parameters and response shapes. Dates are UTC days ({@code YYYY-MM-DD}); a range covers its end date whole.
 *
 * <p>Thread-safety: thread-safe (stateless apart from the shared services).
 */
final class SpendCommands {
    /** The most rows {@code /spend/logs} returns (newest first); LiteLLM returns every row, which does not scale. */
    static final int MAX_LOG_ROWS = 1000;
    private static final int GLOBAL_DAYS = 30;
    private static final String UNASSIGNED_TEAM = "Unassigned Team";

    private final Store store;
    private final SpendReports reports;
    private final Clock clock;

    SpendCommands(Store store, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.reports = store.spendReports();
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * {@code GET /spend/logs}: raw rows, or with both dates and {@code summarize} (the default) one object per day.
     * A caller that is not an admin sees only its own rows: its user's, or its key's when the key has no user.
     */
    Object logs(Map<String, List<String>> q, Principal principal) {
        String apiKey = param(q, "api_key");
        String requestId = param(q, "request_id");
        String userId = param(q, "user_id");
        if (!principal.isAdmin()) {
            KeyGrant own = principal.key();
            if (own == null) {
                throw new BadRequest(401, "auth_error", null, "Only proxy admins and virtual keys may read spend logs");
            }
            userId = own.userId();
            apiKey = userId == null ? own.tokenHash() : null;
            requestId = userId == null ? null : requestId;
        }
        String keyHash = apiKey == null ? null : KeyHash.ofKeyOrHash(apiKey);
        Range range = range(q, false);
        if (range == null) {
            return rows(new SpendLogQuery(keyHash, requestId, userId, null, null, MAX_LOG_ROWS));
        }
        // With dates, at most one filter applies: api_key, else request_id, else user_id (LiteLLM's order).
        String byKey = keyHash;
        String byRequest = byKey == null ? requestId : null;
        String byUser = byKey == null && byRequest == null ? userId : null;
        if (!"false".equalsIgnoreCase(param(q, "summarize"))) {
            return summarizeByDay(range, byKey, byRequest, byUser);
        }
        return rows(new SpendLogQuery(byKey, byRequest, byUser, range.from(), range.to(), MAX_LOG_ROWS));
    }

    /** {@code GET /spend/tags}: requests and spend per tag, all time or within both dates. */
    Object tags(Map<String, List<String>> q) {
        Range range = range(q, false);
        List<Map<String, @Nullable Object>> out = new ArrayList<>();
        for (TagSpend t : reports.byTag(range == null ? null : range.from(), range == null ? null : range.to())) {
            Map<String, @Nullable Object> row = new LinkedHashMap<>();
            row.put("individual_request_tag", t.tag());
            row.put("log_count", t.requests());
            row.put("total_spend", t.spend());
            out.add(row);
        }
        return out;
    }

    /** {@code GET /spend/keys}: key rows, highest spend first (at most {@link KeyQuery#MAX_SIZE}). */
    Object keys() {
        KeyQuery query = KeyQuery.all().withSort(KeyQuery.Sort.SPEND, true).withPage(1, KeyQuery.MAX_SIZE);
        List<Map<String, @Nullable Object>> out = new ArrayList<>();
        for (VirtualKey key : store.keys().list(query).items()) {
            out.add(KeyViews.row(key, true));
        }
        return out;
    }

    /** {@code GET /global/spend/report}: spend by day and team or customer, or by key with its models. */
    Object report(Map<String, List<String>> q) {
        Range range = range(q, true);
        requireNonNull(range, "range");
        String groupBy = Optional.ofNullable(param(q, "group_by")).orElse("team");
        if (!List.of("team", "customer", "api_key").contains(groupBy)) {
            throw new BadRequest(400, "bad_request_error", "group_by",
                    "group_by must be one of team, customer, api_key; got '" + groupBy + "'");
        }
        String apiKey = param(q, "api_key");
        String internalUser = param(q, "internal_user_id");
        if (apiKey != null || internalUser != null || groupBy.equals("api_key")) {
            return byKey(reports.summary(range.from(), range.to(),
                    apiKey == null ? null : KeyHash.ofKeyOrHash(apiKey), internalUser));
        }
        List<SpendSummaryRow> rows = reports.summary(range.from(), range.to(), null, null);
        String teamId = param(q, "team_id");
        String customerId = param(q, "customer_id");
        return switch (groupBy) {
            case "team" -> byDay(rows, "teams", "team_name", r -> teamName(r.teamId()), teamId);
            default -> byDay(rows, "customers", "customer", SpendSummaryRow::endUser, customerId);
        };
    }

    /** {@code GET /global/spend}: spend of the last 30 days, and the proxy's max budget (none: 0). */
    Object global() {
        double spend = 0;
        for (SpendSummaryRow r : lastDays()) {
            spend += r.spend();
        }
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("spend", spend);
        out.put("max_budget", 0.0);
        return out;
    }

    /** {@code GET /global/spend/keys}: the keys with the highest spend over the last 30 days. */
    Object globalKeys(Map<String, List<String>> q) {
        Map<String, Double> byKey = new HashMap<>();
        for (SpendSummaryRow r : lastDays()) {
            byKey.merge(r.apiKey(), r.spend(), Double::sum);
        }
        List<Map<String, @Nullable Object>> out = new ArrayList<>();
        for (Map.Entry<String, Double> e : top(byKey, limit(q))) {
            Optional<VirtualKey> key = e.getKey().isEmpty() ? Optional.empty() : store.keys().find(e.getKey());
            Map<String, @Nullable Object> row = new LinkedHashMap<>();
            row.put("api_key", e.getKey());
            row.put("key_alias", key.map(VirtualKey::keyAlias).orElse(null));
            row.put("key_name", key.map(VirtualKey::keyName).orElse(null));
            row.put("total_spend", e.getValue());
            out.add(row);
        }
        return out;
    }

    /** {@code GET /global/spend/models}: the models with the highest spend over the last 30 days. */
    Object globalModels(Map<String, List<String>> q) {
        Map<String, Double> byModel = new HashMap<>();
        for (SpendSummaryRow r : lastDays()) {
            byModel.merge(r.model(), r.spend(), Double::sum);
        }
        List<Map<String, @Nullable Object>> out = new ArrayList<>();
        for (Map.Entry<String, Double> e : top(byModel, limit(q))) {
            Map<String, @Nullable Object> row = new LinkedHashMap<>();
            row.put("model", e.getKey());
            row.put("total_spend", e.getValue());
            out.add(row);
        }
        return out;
    }

    /** {@code GET /global/spend/teams}: each team's spend per day and in total over the last 30 days. */
    Object globalTeams() {
        Map<LocalDate, Map<String, @Nullable Object>> daily = new TreeMap<>();
        Map<String, Double> totals = new LinkedHashMap<>();
        Map<String, String> names = new HashMap<>();
        for (SpendSummaryRow r : lastDays()) {
            String name = names.computeIfAbsent(r.teamId() == null ? "" : r.teamId(), id -> teamName(r.teamId()));
            Map<String, @Nullable Object> day = daily.computeIfAbsent(r.day(), d -> {
                Map<String, @Nullable Object> m = new LinkedHashMap<>();
                m.put("date", d.toString());
                return m;
            });
            day.merge(name, r.spend(), (a, b) -> (Double) a + (Double) b);
            totals.merge(name, r.spend(), Double::sum);
        }
        List<Map<String, @Nullable Object>> perTeam = new ArrayList<>();
        for (Map.Entry<String, Double> e : top(totals, Integer.MAX_VALUE)) {
            Map<String, @Nullable Object> row = new LinkedHashMap<>();
            row.put("team_id", e.getKey());
            row.put("total_spend", e.getValue());
            perTeam.add(row);
        }
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("daily_spend", new ArrayList<>(daily.values()));
        out.put("teams", new ArrayList<>(totals.keySet()));
        out.put("total_spend_per_team", perTeam);
        return out;
    }

    private List<Map<String, @Nullable Object>> rows(SpendLogQuery query) {
        List<Map<String, @Nullable Object>> out = new ArrayList<>();
        for (SpendRecord r : reports.logs(query)) {
            Map<String, @Nullable Object> row = new LinkedHashMap<>();
            row.put("request_id", r.requestId());
            row.put("call_type", r.callType());
            row.put("api_key", r.apiKey());
            row.put("spend", r.spend());
            row.put("total_tokens", (long) r.totalTokens());
            row.put("prompt_tokens", (long) r.promptTokens());
            row.put("completion_tokens", (long) r.completionTokens());
            row.put("startTime", r.startTime().toString());
            row.put("endTime", r.endTime().toString());
            row.put("request_duration_ms", (long) r.durationMillis());
            row.put("model", r.model());
            row.put("model_id", r.modelId());
            row.put("model_group", r.modelGroup());
            row.put("custom_llm_provider", r.customLlmProvider());
            row.put("api_base", r.apiBase());
            row.put("user", r.userId());
            row.put("metadata", Map.of());
            row.put("request_tags", r.requestTags());
            row.put("team_id", r.teamId());
            row.put("end_user", r.endUser());
            row.put("status", r.status());
            out.add(row);
        }
        return out;
    }

    private List<Map<String, @Nullable Object>> summarizeByDay(Range range, @Nullable String apiKey,
            @Nullable String requestId, @Nullable String userId) {
        Map<LocalDate, Map<String, @Nullable Object>> days = new TreeMap<>();
        for (LocalDate d = range.first(); !d.isAfter(range.last()); d = d.plusDays(1)) {
            Map<String, @Nullable Object> day = new LinkedHashMap<>();
            day.put("startTime", d.toString());
            day.put("spend", 0.0);
            day.put("users", new LinkedHashMap<String, @Nullable Object>());
            day.put("models", new LinkedHashMap<String, @Nullable Object>());
            days.put(d, day);
        }
        List<SpendSummaryRow> rows = requestId == null
                ? reports.summary(range.from(), range.to(), apiKey, userId)
                : summaryOfRequest(range, requestId);
        for (SpendSummaryRow r : rows) {
            Map<String, @Nullable Object> day = days.get(r.day());
            if (day == null) {
                continue;
            }
            day.merge("spend", r.spend(), (a, b) -> (Double) a + (Double) b);
            add(day.get("users"), r.userId() == null ? "" : r.userId(), r.spend());
            add(day.get("models"), r.model(), r.spend());
            day.merge(r.apiKey(), r.spend(), (a, b) -> (Double) a + (Double) b);
        }
        return new ArrayList<>(days.values());
    }

    private List<SpendSummaryRow> summaryOfRequest(Range range, String requestId) {
        List<SpendSummaryRow> out = new ArrayList<>();
        for (SpendRecord r : reports.logs(new SpendLogQuery(null, requestId, null, range.from(), range.to(), 1))) {
            out.add(new SpendSummaryRow(r.startTime().atOffset(ZoneOffset.UTC).toLocalDate(), r.apiKey(),
                    r.userId(), r.teamId(), r.endUser(), r.model(), r.spend(), r.promptTokens(),
                    r.completionTokens(), r.totalTokens(), 1));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void add(@Nullable Object map, String name, double spend) {
        ((Map<String, @Nullable Object>) requireNonNull(map, "map")).merge(name, spend,
                (a, b) -> (Double) a + (Double) b);
    }

    private static List<Map<String, @Nullable Object>> byKey(List<SpendSummaryRow> rows) {
        Map<String, Map<String, double[]>> keys = new LinkedHashMap<>();
        for (SpendSummaryRow r : rows) {
            double[] t = keys.computeIfAbsent(r.apiKey(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.model(), m -> new double[3]);
            t[0] += r.spend();
            t[1] += r.promptTokens();
            t[2] += r.completionTokens();
        }
        List<Map<String, @Nullable Object>> out = new ArrayList<>();
        keys.forEach((key, models) -> {
            double[] total = new double[3];
            List<Map<String, @Nullable Object>> details = new ArrayList<>();
            models.forEach((model, t) -> {
                details.add(costs("model", model, "total_cost", t));
                for (int i = 0; i < 3; i++) {
                    total[i] += t[i];
                }
            });
            details.sort(Comparator.comparingDouble((Map<String, @Nullable Object> m) ->
                    (Double) requireNonNull(m.get("total_cost"))).reversed());
            Map<String, @Nullable Object> row = costs("api_key", key, "total_cost", total);
            row.put("model_details", details);
            out.add(row);
        });
        out.sort(Comparator.comparingDouble((Map<String, @Nullable Object> m) ->
                (Double) requireNonNull(m.get("total_cost"))).reversed());
        return out;
    }

    private static Map<String, @Nullable Object> costs(String nameField, String name, String costField, double[] t) {
        Map<String, @Nullable Object> row = new LinkedHashMap<>();
        row.put(nameField, name);
        row.put(costField, t[0]);
        row.put("total_input_tokens", (long) t[1]);
        row.put("total_output_tokens", (long) t[2]);
        return row;
    }

    /** Rows grouped by day, then by {@code group} (teams or customers), each with its spend by model and key. */
    private static List<Map<String, @Nullable Object>> byDay(List<SpendSummaryRow> rows, String listName,
            String nameField, java.util.function.Function<SpendSummaryRow, @Nullable String> group,
            @Nullable String only) {
        Map<LocalDate, Map<String, Map<String, @Nullable Object>>> days = new TreeMap<>();
        for (SpendSummaryRow r : rows) {
            String name = group.apply(r);
            if (only != null && !only.equals(name) && !only.equals(nameField.equals("team_name")
                    ? r.teamId() : r.endUser())) {
                continue;
            }
            Map<String, @Nullable Object> entry = days.computeIfAbsent(r.day(), d -> new LinkedHashMap<>())
                    .computeIfAbsent(String.valueOf(name), n -> {
                        Map<String, @Nullable Object> m = new LinkedHashMap<>();
                        m.put(nameField, name);
                        m.put("total_spend", 0.0);
                        m.put("metadata", new ArrayList<Map<String, @Nullable Object>>());
                        return m;
                    });
            entry.merge("total_spend", r.spend(), (a, b) -> (Double) a + (Double) b);
            Map<String, @Nullable Object> detail = new LinkedHashMap<>();
            detail.put("model", r.model());
            detail.put("api_key", r.apiKey());
            detail.put("spend", r.spend());
            detail.put("total_tokens", r.totalTokens());
            metadata(entry).add(detail);
        }
        List<Map<String, @Nullable Object>> out = new ArrayList<>();
        days.forEach((day, groups) -> {
            Map<String, @Nullable Object> row = new LinkedHashMap<>();
            row.put("group_by_day", day.toString());
            row.put(listName, new ArrayList<>(groups.values()));
            out.add(row);
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, @Nullable Object>> metadata(Map<String, @Nullable Object> entry) {
        return (List<Map<String, @Nullable Object>>) requireNonNull(entry.get("metadata"), "metadata");
    }

    private String teamName(@Nullable String teamId) {
        if (teamId == null) {
            return UNASSIGNED_TEAM;
        }
        return store.teams().find(teamId).map(Team::teamAlias).filter(a -> !a.isBlank()).orElse(teamId);
    }

    private List<SpendSummaryRow> lastDays() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        return reports.summary(today.minusDays(GLOBAL_DAYS).atStartOfDay(ZoneOffset.UTC).toInstant(),
                today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(), null, null);
    }

    private static List<Map.Entry<String, Double>> top(Map<String, Double> totals, int limit) {
        return totals.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(limit)
                .toList();
    }

    private static int limit(Map<String, List<String>> q) {
        String value = param(q, "limit");
        if (value == null) {
            return 10;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw new BadRequest(400, "bad_request_error", "limit", "limit must be a whole number > 0; got '" + value
                + "'");
    }

    /** The range of {@code start_date} and {@code end_date}; null when neither is given and they are optional. */
    private static @Nullable Range range(Map<String, List<String>> q, boolean required) {
        String start = param(q, "start_date");
        String end = param(q, "end_date");
        if (start == null && end == null && !required) {
            return null;
        }
        if (start == null || end == null) {
            throw new BadRequest(400, "bad_request_error", start == null ? "start_date" : "end_date",
                    "Please provide start_date and end_date");
        }
        LocalDate first = date("start_date", start);
        LocalDate last = date("end_date", end);
        if (last.isBefore(first)) {
            throw new BadRequest(400, "bad_request_error", "end_date", "end_date " + end
                    + " is before start_date " + start);
        }
        return new Range(first, last);
    }

    private static LocalDate date(String name, String value) {
        String day = value.trim();
        // LiteLLM's UI sends "YYYY-MM-DD HH:MM:SS"; the day is what counts here.
        if (day.length() > 10 && (day.charAt(10) == ' ' || day.charAt(10) == 'T')) {
            day = day.substring(0, 10);
        }
        try {
            return LocalDate.parse(day);
        } catch (DateTimeParseException e) {
            throw new BadRequest(400, "bad_request_error", name, name + " must be a date YYYY-MM-DD; got '" + value
                    + "'");
        }
    }

    private static @Nullable String param(Map<String, List<String>> q, String name) {
        String value = KeyManagement.first(q, name);
        return value == null || value.isBlank() ? null : value;
    }

    /** UTC days {@code first} to {@code last}, both whole. */
    private record Range(LocalDate first, LocalDate last) {
        Instant from() {
            return first.atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        Instant to() {
            return last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
    }
}
