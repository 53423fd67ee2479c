package dev.llmproxy.proxy.management;

import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.keys.KeyService;
import dev.llmproxy.store.Budget;
import dev.llmproxy.store.BudgetDuration;
import dev.llmproxy.store.EndUser;
import dev.llmproxy.store.EndUserStore;
import dev.llmproxy.store.ListQuery;
import dev.llmproxy.store.Page;
import dev.llmproxy.store.StoreConflictException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What each {@code /customer/...} route (alias {@code /end_user/...}) does to the store, on a store thread: end users
 * with LiteLLM's fields, budgets in LiteLLM's budget table. A change is in force on this instance as soon as the route
 * answers; other instances re-read the changed end users at their next key refresh.
 *
 * <p>Unlike LiteLLM, {@code /customer/update} applies every field present, including {@code 0} and {@code false}
 * (LiteLLM skips those, so it cannot unblock with {@code "blocked": false} or set a budget of 0), and
 * {@code /customer/unblock} clears the end users' {@code blocked} flag (LiteLLM's edits an enterprise in-memory list).
 *
 * <p>Thread-safety: thread-safe (stateless apart from the shared services).
 */
final class CustomerCommands {
    /** The budget fields of a customer request, kept in the linked budget row as LiteLLM does. */
    private static final List<String> BUDGET_FIELDS = List.of("max_budget", "soft_budget", "max_parallel_requests",
            "tpm_limit", "rpm_limit", "budget_duration");
    private static final Set<String> REGIONS = Set.of("eu", "us");
    /** LiteLLM's {@code litellm_proxy_admin_name}: who creates a budget when the caller has no user. */
    private static final String PROXY_ADMIN_NAME = "default_user_id";
    private static final int PAGE = 100;

    private final KeyService keys;
    private final EndUserStore endUsers;
    private final Clock clock;

    CustomerCommands(KeyService keys, Clock clock) {
        this.keys = keys;
        this.endUsers = keys.store().endUsers();
        this.clock = clock;
    }

    Map<String, @Nullable Object> create(Fields f, Principal caller) {
        String userId = requiredId(f.string("user_id"), "user_id");
        Budget budget = hasBudgetFields(f) ? newBudget(f, caller) : null;
        String budgetId = budget == null ? linkedBudget(f) : null;
        EndUser row = apply(f, new EndUser(userId, null, spend(f), null, null, budgetId, false, "{}",
                Instant.EPOCH, null));
        if (endUsers.find(userId).isPresent()) {
            throw exists(userId);
        }
        EndUser created;
        try {
            created = endUsers.create(row, budget);
        } catch (StoreConflictException e) {
            throw exists(userId);
        }
        keys.endUserChanged(created);
        return row(created);
    }

    Map<String, @Nullable Object> info(@Nullable String endUserId) {
        String id = requiredId(endUserId, "end_user_id");
        return row(endUsers.find(id).orElseThrow(() -> notFound(id, "end_user_id")));
    }

    Map<String, @Nullable Object> update(Fields f, Principal caller) {
        String userId = requiredId(f.string("user_id"), "user_id");
        EndUser current = endUsers.find(userId).orElseThrow(() -> notFound(userId, "user_id"));
        String budgetId = f.has("budget_id") ? linkedBudget(f) : current.budgetId();
        Budget budget = null;
        if (hasBudgetFields(f)) {
            Budget linked = f.has("budget_id") ? null : current.budget();
            budget = linked == null ? newBudget(f, caller) : changedBudget(linked, f, caller);
        }
        EndUser row = apply(f, new EndUser(userId, current.alias(), current.spend(), current.allowedModelRegion(),
                current.defaultModel(), budgetId, current.blocked(), current.metadata(), current.updatedAt(), null));
        EndUser updated = endUsers.update(row, budget).orElseThrow(() -> notFound(userId, "user_id"));
        keys.endUserChanged(updated);
        return row(updated);
    }

    Map<String, @Nullable Object> delete(Fields f) {
        List<String> ids = userIds(f);
        Set<String> missing = new LinkedHashSet<>();
        for (String id : ids) {
            if (endUsers.find(id).isEmpty()) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            throw new BadRequest(404, "not_found", "user_ids",
                    "End User Id(s)=" + String.join(", ", missing) + " do not exist in db");
        }
        List<String> deleted = endUsers.delete(ids);
        keys.endUsersDeleted(deleted);
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("deleted_customers", deleted.size());
        out.put("message", "Successfully deleted customers with ids: " + pythonList(ids));
        return out;
    }

    Map<String, @Nullable Object> setBlocked(Fields f, boolean blocked) {
        List<String> ids = userIds(f);
        List<EndUser> rows = blocked ? endUsers.block(ids) : endUsers.unblock(ids);
        List<Map<String, @Nullable Object>> out = new ArrayList<>(rows.size());
        for (EndUser row : rows) {
            keys.endUserChanged(row);
            out.add(row(row));
        }
        return Map.of(blocked ? "blocked_users" : "unblocked_users", out);
    }

    List<Map<String, @Nullable Object>> list() {
        List<Map<String, @Nullable Object>> rows = new ArrayList<>();
        for (int page = 1; ; page++) {
            Page<EndUser> result = endUsers.list(new ListQuery(null, page, PAGE));
            result.items().forEach(e -> rows.add(row(e)));
            if (page >= result.totalPages()) {
                return rows;
            }
        }
    }

    /** The end-user fields of {@code f} applied over {@code row} (budget fields and the link are the caller's). */
    private static EndUser apply(Fields f, EndUser row) {
        String alias = f.has("alias") ? f.string("alias") : row.alias();
        String region = f.has("allowed_model_region") ? f.string("allowed_model_region") : row.allowedModelRegion();
        if (region != null && !REGIONS.contains(region)) {
            throw new BadRequest(400, "bad_request_error", "allowed_model_region",
                    "allowed_model_region must be 'eu' or 'us'. Received: " + region);
        }
        String defaultModel = f.has("default_model") ? f.string("default_model") : row.defaultModel();
        Boolean blocked = f.bool("blocked");
        String metadata = row.metadata();
        if (f.has("metadata")) {
            Map<String, @Nullable Object> given = f.object("metadata");
            metadata = Json.writeString(given == null ? Map.of() : given);
        }
        return new EndUser(row.userId(), alias, row.spend(), region, defaultModel, row.budgetId(),
                blocked != null ? blocked : row.blocked(), metadata, row.updatedAt(), null);
    }

    private static boolean hasBudgetFields(Fields f) {
        for (String field : BUDGET_FIELDS) {
            if (f.raw(field) != null) {
                return true;
            }
        }
        return false;
    }

    /** The budget {@code budget_id} names, which must exist; null when the field is absent or null. */
    private @Nullable String linkedBudget(Fields f) {
        String id = f.string("budget_id");
        if (id != null && endUsers.findBudget(id).isEmpty()) {
            throw new BadRequest(400, "bad_request_error", "budget_id", "Budget not found, passed budget_id=" + id);
        }
        return id;
    }

    private Budget newBudget(Fields f, Principal caller) {
        Instant now = clock.instant();
        String by = by(caller);
        return budget(f, UUID.randomUUID().toString(), null, null, null, null, null, null, null, now, by, by);
    }

    /** {@code linked} with the budget fields of {@code f} changed (the row is shared by every end user linked). */
    private Budget changedBudget(Budget linked, Fields f, Principal caller) {
        return budget(f, linked.budgetId(), linked.maxBudget(), linked.softBudget(), linked.maxParallelRequests(),
                linked.tpmLimit(), linked.rpmLimit(), linked.budgetDuration(), linked.budgetResetAt(),
                linked.createdAt(), linked.createdBy(), by(caller));
    }

    private Budget budget(Fields f, String id, @Nullable Double maxBudget, @Nullable Double softBudget,
            @Nullable Integer parallel, @Nullable Long tpm, @Nullable Long rpm, @Nullable String duration,
            @Nullable Instant resetAt, Instant createdAt, String createdBy, String updatedBy) {
        if (f.has("max_budget")) {
            maxBudget = usd(f, "max_budget");
        }
        if (f.has("soft_budget")) {
            softBudget = usd(f, "soft_budget");
        }
        if (f.has("max_parallel_requests")) {
            Long value = f.integer("max_parallel_requests");
            parallel = value == null ? null : (int) Math.min(Integer.MAX_VALUE, value);
        }
        if (f.has("tpm_limit")) {
            tpm = f.integer("tpm_limit");
        }
        if (f.has("rpm_limit")) {
            rpm = f.integer("rpm_limit");
        }
        if (f.has("budget_duration")) {
            Optional<BudgetDuration> parsed = KeyCommands.parseDuration("budget_duration", f.string("budget_duration"));
            duration = parsed.map(BudgetDuration::toString).orElse(null);
            resetAt = parsed.map(d -> d.nextReset(clock.instant(), ZoneOffset.UTC)).orElse(null);
        }
        Instant now = clock.instant();
        return new Budget(id, maxBudget, softBudget, parallel, tpm, rpm, duration, resetAt, createdAt, createdBy, now,
                updatedBy);
    }

    private static @Nullable Double usd(Fields f, String name) {
        Double value = f.number(name);
        if (value != null && (value < 0 || !Double.isFinite(value))) {
            throw new BadRequest(name + " cannot be negative. Received: " + value);
        }
        return value;
    }

    private static double spend(Fields f) {
        Double value = usd(f, "spend");
        return value == null ? 0 : value;
    }

    private static List<String> userIds(Fields f) {
        List<String> ids = f.strings("user_ids");
        if (ids == null || ids.isEmpty()) {
            throw new BadRequest(400, "bad_request_error", "user_ids", "user_ids is required, passed user_ids = "
                    + (ids == null ? "None" : "[]"));
        }
        return ids;
    }

    private static String requiredId(@Nullable String id, String field) {
        if (id == null || id.isEmpty()) {
            throw new BadRequest(400, "bad_request_error", field, field + " is required");
        }
        return id;
    }

    private static String by(Principal caller) {
        KeyGrant key = caller.key();
        String userId = key == null ? null : key.userId();
        return userId != null ? userId : PROXY_ADMIN_NAME;
    }

    /** A list as Python prints it, as LiteLLM's delete message shows the ids. */
    private static String pythonList(List<String> ids) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < ids.size(); i++) {
            out.append(i == 0 ? "'" : ", '").append(ids.get(i)).append('\'');
        }
        return out.append(']').toString();
    }

    private static BadRequest exists(String userId) {
        return new BadRequest(400, "bad_request", "user_id",
                "Customer already exists, passed user_id=" + userId + ". Please pass a new user_id.");
    }

    private static BadRequest notFound(String id, String param) {
        return new BadRequest(404, "not_found", param, "End User Id=" + id + " does not exist in db");
    }

    /** LiteLLM's end-user object: the row, its linked budget and the object permission (none here). */
    static Map<String, @Nullable Object> row(EndUser e) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("user_id", e.userId());
        out.put("alias", e.alias());
        out.put("spend", e.spend());
        out.put("allowed_model_region", e.allowedModelRegion());
        out.put("default_model", e.defaultModel());
        out.put("budget_id", e.budgetId());
        Budget b = e.budget();
        out.put("litellm_budget_table", b == null ? null : budget(b));
        out.put("blocked", e.blocked());
        out.put("metadata", new Json.RawJson(e.metadata()));
        out.put("object_permission_id", null);
        out.put("object_permission", null);
        return out;
    }

    private static Map<String, @Nullable Object> budget(Budget b) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("budget_id", b.budgetId());
        out.put("max_budget", b.maxBudget());
        out.put("soft_budget", b.softBudget());
        out.put("max_parallel_requests", b.maxParallelRequests());
        out.put("tpm_limit", b.tpmLimit());
        out.put("rpm_limit", b.rpmLimit());
        out.put("model_max_budget", null);
        out.put("budget_duration", b.budgetDuration());
        out.put("budget_reset_at", b.budgetResetAt() == null ? null : String.valueOf(b.budgetResetAt()));
        out.put("created_at", b.createdAt().toString());
        out.put("created_by", b.createdBy());
        out.put("updated_at", b.updatedAt().toString());
        out.put("updated_by", b.updatedBy());
        return out;
    }
}
