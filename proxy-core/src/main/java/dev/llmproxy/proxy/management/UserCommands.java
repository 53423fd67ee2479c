package dev.llmproxy.proxy.management;

import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.keys.KeyService;
import dev.llmproxy.store.BudgetDuration;
import dev.llmproxy.store.KeyQuery;
import dev.llmproxy.store.ListQuery;
import dev.llmproxy.store.Page;
import dev.llmproxy.store.StoreConflictException;
import dev.llmproxy.store.User;
import dev.llmproxy.store.UserStore;
import dev.llmproxy.store.VirtualKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What each {@code /user/...} route does to the store, on a store thread: users with LiteLLM's fields and roles. A
 * role change reaches the user's cached keys at once (a {@code proxy_admin}'s keys may call the management routes).
 * User budgets and limits are stored, not enforced yet.
 *
 * <p>Thread-safety: thread-safe (stateless apart from the shared services).
 */
final class UserCommands {
    /** LiteLLM's user roles. */
    static final Set<String> ROLES = Set.of("proxy_admin", "proxy_admin_viewer", "internal_user",
            "internal_user_viewer", "team", "customer");
    private static final int MAX_PAGE_SIZE = 100;

    private final KeyService keys;
    private final UserStore users;
    private final KeyCommands keyCommands;
    private final Clock clock;

    UserCommands(KeyService keys, KeyCommands keyCommands, Clock clock) {
        this.keys = keys;
        this.users = keys.store().users();
        this.keyCommands = keyCommands;
        this.clock = clock;
    }

    Map<String, @Nullable Object> create(Fields f, Principal caller) {
        String userId = f.string("user_id");
        if (userId == null || userId.isBlank()) {
            userId = UUID.randomUUID().toString();
        }
        String email = f.string("user_email");
        if (users.find(userId).isPresent()) {
            throw new BadRequest(409, "bad_request_error", "user_id", "User with id " + userId + " already exists");
        }
        if (email != null && users.findByEmail(email).isPresent()) {
            throw new BadRequest(409, "bad_request_error", "user_email",
                    "User with email " + email + " already exists");
        }
        User.Builder b = User.builder(userId).userEmail(email);
        apply(f, b, clock.instant());
        User created;
        try {
            created = users.create(b.build());
        } catch (StoreConflictException e) {
            throw new BadRequest(409, "bad_request_error", "user_id", "User with id " + userId + " already exists");
        }
        keys.userChanged(created);
        Map<String, @Nullable Object> out = row(created);
        Boolean autoKey = f.bool("auto_create_key");
        out.put("key", "");
        if (autoKey == null || autoKey) {
            Map<String, @Nullable Object> keyBody = new LinkedHashMap<>();
            keyBody.put("user_id", userId);
            for (String field : List.of("duration", "key_alias", "models", "max_budget", "tpm_limit", "rpm_limit",
                    "max_parallel_requests", "budget_duration")) {
                if (f.has(field)) {
                    keyBody.put(field, f.raw(field));
                }
            }
            Map<String, @Nullable Object> key = keyCommands.generate(new Fields(keyBody), caller);
            out.put("key", key.get("key"));
            out.put("expires", key.get("expires"));
            out.put("token", key.get("token"));
        }
        return out;
    }

    Map<String, @Nullable Object> update(Fields f) {
        String userId = f.string("user_id");
        String email = f.string("user_email");
        Optional<User> found = userId != null ? users.find(userId)
                : email != null ? users.findByEmail(email) : Optional.empty();
        if (userId == null && email == null) {
            throw new BadRequest(400, "bad_request_error", "user_id", "user_id or user_email is required");
        }
        User current = found.orElseThrow(() -> notFound(userId != null ? userId : email));
        User.Builder b = current.toBuilder();
        apply(f, b, clock.instant());
        if (f.has("user_email") && userId != null) {
            b.userEmail(email);
        }
        User updated = users.update(b.build()).orElseThrow(() -> notFound(current.userId()));
        keys.userChanged(updated);
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("user_id", updated.userId());
        out.put("data", row(updated));
        return out;
    }

    Map<String, @Nullable Object> delete(Fields f) {
        List<String> ids = f.strings("user_ids");
        if (ids == null || ids.isEmpty()) {
            throw new BadRequest(400, "bad_request_error", "user_ids", "user_ids: a list of user ids is required");
        }
        for (String id : ids) {
            if (users.find(id).isEmpty()) {
                throw notFound(id);
            }
        }
        List<String> tokens = new ArrayList<>();
        for (String id : ids) {
            KeyQuery query = KeyQuery.all().withUserId(id).withPage(1, KeyQuery.MAX_SIZE);
            for (Page<VirtualKey> page = keys.store().keys().list(query); !page.items().isEmpty();
                    page = keys.store().keys().list(query.withPage(page.page() + 1, KeyQuery.MAX_SIZE))) {
                page.items().forEach(k -> tokens.add(k.token()));
            }
        }
        keys.deleted(keys.store().keys().delete(tokens));
        List<String> deleted = users.delete(ids);
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("deleted_users", deleted.size());
        out.put("user_ids", deleted);
        return out;
    }

    Map<String, @Nullable Object> info(@Nullable String userId) {
        if (userId == null || userId.isBlank()) {
            throw new BadRequest(400, "bad_request_error", "user_id", "user_id is required");
        }
        User user = users.find(userId).orElseThrow(() -> notFound(userId));
        Page<VirtualKey> userKeys = keys.store().keys().list(
                KeyQuery.all().withUserId(userId).withPage(1, KeyQuery.MAX_SIZE));
        List<Object> keyRows = new ArrayList<>();
        userKeys.items().forEach(k -> keyRows.add(KeyViews.row(k, true)));
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("user_id", userId);
        out.put("user_info", row(user));
        out.put("keys", keyRows);
        out.put("teams", List.of());
        return out;
    }

    Map<String, @Nullable Object> list(Map<String, List<String>> params) {
        int page = KeyCommands.intParam(params, "page", 1, 1, Integer.MAX_VALUE);
        int size = KeyCommands.intParam(params, "page_size", 25, 1, MAX_PAGE_SIZE);
        String role = KeyManagement.first(params, "role");
        Page<User> result = users.list(new ListQuery(role, page, size));
        List<Object> rows = new ArrayList<>();
        result.items().forEach(u -> rows.add(row(u)));
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("users", rows);
        out.put("total", result.totalCount());
        out.put("page", result.page());
        out.put("page_size", result.size());
        out.put("total_pages", result.totalPages());
        return out;
    }

    private static void apply(Fields f, User.Builder b, Instant now) {
        if (f.has("user_alias")) {
            b.userAlias(f.string("user_alias"));
        }
        if (f.has("user_role")) {
            String role = f.string("user_role");
            if (role != null && !ROLES.contains(role)) {
                throw new BadRequest(400, "bad_request_error", "user_role", "Invalid user_role: " + role
                        + ". Must be one of: " + String.join(", ", ROLES.stream().sorted().toList()));
            }
            b.userRole(role);
        }
        if (f.has("max_budget")) {
            Double budget = f.number("max_budget");
            if (budget != null && budget < 0) {
                throw new BadRequest("max_budget cannot be negative. Received: " + budget);
            }
            b.maxBudget(budget);
        }
        if (f.has("models")) {
            List<String> models = f.strings("models");
            b.models(models == null ? List.of() : models);
        }
        if (f.has("tpm_limit")) {
            b.tpmLimit(f.integer("tpm_limit"));
        }
        if (f.has("rpm_limit")) {
            b.rpmLimit(f.integer("rpm_limit"));
        }
        if (f.has("max_parallel_requests")) {
            Long parallel = f.integer("max_parallel_requests");
            b.maxParallelRequests(parallel == null ? null : (int) Math.min(Integer.MAX_VALUE, parallel));
        }
        if (f.has("budget_duration")) {
            Optional<BudgetDuration> parsed = KeyCommands.parseDuration("budget_duration", f.string("budget_duration"));
            b.budgetDuration(parsed.map(BudgetDuration::toString).orElse(null));
            b.budgetResetAt(parsed.map(d -> d.nextReset(now, ZoneOffset.UTC)).orElse(null));
        }
        if (f.has("metadata")) {
            Map<String, @Nullable Object> metadata = f.object("metadata");
            b.metadata(Json.writeString(metadata == null ? Map.of() : metadata));
        }
    }

    private static Map<String, @Nullable Object> row(User user) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("user_id", user.userId());
        out.put("user_alias", user.userAlias());
        out.put("user_email", user.userEmail());
        out.put("user_role", user.userRole());
        out.put("max_budget", user.maxBudget());
        out.put("spend", user.spend());
        out.put("models", user.models());
        out.put("tpm_limit", user.tpmLimit());
        out.put("rpm_limit", user.rpmLimit());
        out.put("max_parallel_requests", user.maxParallelRequests());
        out.put("budget_duration", user.budgetDuration());
        out.put("budget_reset_at", user.budgetResetAt() == null ? null : String.valueOf(user.budgetResetAt()));
        out.put("metadata", new Json.RawJson(user.metadata()));
        out.put("created_at", user.createdAt().toString());
        out.put("updated_at", user.updatedAt().toString());
        return out;
    }

    private static BadRequest notFound(@Nullable String userId) {
        return new BadRequest(404, "not_found_error", "user_id", "User " + userId + " not found");
    }
}
