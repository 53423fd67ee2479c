package dev.llmproxy.proxy.management;

import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.keys.KeyService;
import dev.llmproxy.store.BudgetDuration;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.KeyQuery;
import dev.llmproxy.store.KeyStore;
import dev.llmproxy.store.Page;
import dev.llmproxy.store.Team;
import dev.llmproxy.store.VirtualKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What each {@code /key/...} route does to the store, on a store thread. Every write is applied to the key cache
 * before the route answers ({@link KeyService#changed}), so the change is in force on this instance at once.
 *
 * <p>Thread-safety: thread-safe (the random source is thread-safe; nothing else is mutable).
 */
final class KeyCommands {
    /** LiteLLM's generated keys: {@code sk-} and 16 random bytes in URL-safe base64 (22 characters). */
    private static final int KEY_RANDOM_BYTES = 16;
    private static final String KEY_PREFIX = "sk-";
    /** The user id LiteLLM records for changes made with the master key. */
    private static final String MASTER_USER_ID = "default_user_id";
    private static final int MAX_PAGE_SIZE = 100;

    private final KeyService keys;
    private final KeyStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    KeyCommands(KeyService keys, Clock clock) {
        this.keys = keys;
        this.store = keys.store().keys();
        this.clock = clock;
    }

    Map<String, @Nullable Object> generate(Fields f, Principal caller) {
        String key = f.string("key");
        if (key == null) {
            byte[] bytes = new byte[KEY_RANDOM_BYTES];
            random.nextBytes(bytes);
            key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } else if (!key.startsWith(KEY_PREFIX)) {
            throw new BadRequest("Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: "
                    + mask(key));
        }
        Instant now = clock.instant();
        VirtualKey.Builder b = VirtualKey.builder(KeyHash.of(key)).keyName(KeyHash.displayName(key));
        b.spend(nonNegative(f, "spend", 0.0));
        apply(f, b, now);
        if (!f.has("duration")) {
            memberKeyDuration(f.string("team_id"), f.string("user_id"))
                    .ifPresent(d -> b.expires(d.after(now, ZoneOffset.UTC)));
        }
        String by = callerId(caller);
        VirtualKey created = store.create(b.createdBy(by).updatedBy(by).build());
        keys.changed(created);
        Map<String, @Nullable Object> out = KeyViews.row(created, true);
        out.put("key", key);
        out.put("token_id", created.token());
        out.put("duration", f.string("duration"));
        out.put("budget_id", null);
        out.put("litellm_budget_table", null);
        return out;
    }

    /**
     * The {@code team_member_key_duration} of {@code teamId} when {@code userId} is a member of it: LiteLLM's default
     * expiry of a key generated for a team member without a {@code duration}.
     */
    private Optional<BudgetDuration> memberKeyDuration(@Nullable String teamId, @Nullable String userId) {
        if (teamId == null || userId == null || keys.store().teams().findMember(teamId, userId).isEmpty()) {
            return Optional.empty();
        }
        String duration = keys.store().teams().find(teamId).map(Team::teamMemberKeyDuration).orElse(null);
        return duration == null ? Optional.empty() : BudgetDuration.parse(duration);
    }

    Map<String, @Nullable Object> update(Fields f, Principal caller) {
        String passed = requiredKey(f);
        VirtualKey current = find(passed);
        VirtualKey.Builder b = current.toBuilder();
        apply(f, b, clock.instant());
        VirtualKey updated = store.update(b.updatedBy(callerId(caller)).build())
                .orElseThrow(() -> notFound());
        keys.changed(updated);
        Map<String, @Nullable Object> out = KeyViews.row(updated, false);
        out.put("key", passed);
        return out;
    }

    Map<String, @Nullable Object> delete(Fields f) {
        List<String> passedKeys = f.strings("keys");
        List<String> aliases = f.strings("key_aliases");
        if ((passedKeys == null || passedKeys.isEmpty()) && (aliases == null || aliases.isEmpty())) {
            throw new BadRequest("At least one of 'keys' or 'key_aliases' must be provided.");
        }
        List<String> deleted = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        if (passedKeys != null && !passedKeys.isEmpty()) {
            LinkedHashSet<String> tokens = new LinkedHashSet<>();
            passedKeys.forEach(k -> tokens.add(KeyHash.ofKeyOrHash(k)));
            deleted.addAll(store.delete(tokens));
            passed.addAll(passedKeys);
        }
        if (aliases != null && !aliases.isEmpty()) {
            deleted.addAll(store.deleteByAlias(aliases));
            passed.addAll(aliases);
        }
        keys.deleted(deleted);
        if (deleted.isEmpty()) {
            throw new BadRequest(404, "not_found_error", null, "No keys found");
        }
        return new LinkedHashMap<>(Map.of("deleted_keys", passed));
    }

    Map<String, @Nullable Object> regenerate(Fields f, @Nullable String keyInPath, Principal caller) {
        String passed = keyInPath != null ? keyInPath : requiredKey(f);
        VirtualKey current = find(passed);
        String newKey = f.string("new_key");
        if (newKey == null) {
            byte[] bytes = new byte[KEY_RANDOM_BYTES];
            random.nextBytes(bytes);
            newKey = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        } else if (!newKey.startsWith(KEY_PREFIX)) {
            throw new BadRequest("Invalid new_key format. LiteLLM Virtual Key must start with 'sk-'. Received: "
                    + mask(newKey));
        }
        VirtualKey rehashed = store.rehash(current.token(), KeyHash.of(newKey), KeyHash.displayName(newKey))
                .orElseThrow(() -> notFound());
        keys.deleted(List.of(current.token()));
        VirtualKey result = rehashed;
        if (hasUpdateFields(f)) {
            VirtualKey.Builder b = rehashed.toBuilder();
            apply(f, b, clock.instant());
            result = store.update(b.updatedBy(callerId(caller)).build()).orElseThrow(() -> notFound());
        }
        keys.changed(result);
        Map<String, @Nullable Object> out = KeyViews.row(result, true);
        out.put("key", newKey);
        out.put("token_id", result.token());
        return out;
    }

    Map<String, @Nullable Object> setBlocked(Fields f, boolean blocked) {
        String passed = f.string("key");
        if (passed == null || passed.isBlank()) {
            throw new BadRequest("Invalid key format.");
        }
        VirtualKey key = store.setBlocked(KeyHash.ofKeyOrHash(passed), blocked).orElseThrow(() -> notFound());
        keys.changed(key);
        return KeyViews.row(key, true);
    }

    Map<String, @Nullable Object> info(@Nullable String passed, @Nullable String ownToken) {
        String token = passed != null ? KeyHash.ofKeyOrHash(passed) : ownToken;
        if (token == null) {
            throw notFound();
        }
        VirtualKey key = store.find(token).orElseThrow(() -> notFound());
        Map<String, @Nullable Object> info = KeyViews.row(key, false);
        Double cached = keys.cachedSpend(token);
        if (cached != null && cached > key.spend()) {
            // Calls of the last flush interval are in the cache, not yet in the store.
            info.put("spend", cached);
        }
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("key", passed != null ? passed : token);
        out.put("info", info);
        return out;
    }

    Map<String, @Nullable Object> list(Map<String, List<String>> params) {
        int page = intParam(params, "page", 1, 1, Integer.MAX_VALUE);
        int size = intParam(params, "size", 10, 1, MAX_PAGE_SIZE);
        String sortBy = KeyManagement.first(params, "sort_by");
        KeyQuery.Sort sort = KeyQuery.Sort.CREATED_AT;
        if (sortBy != null) {
            sort = null;
            for (KeyQuery.Sort s : KeyQuery.Sort.values()) {
                if (s.column().equals(sortBy)) {
                    sort = s;
                }
            }
            if (sort == null) {
                throw new BadRequest(400, "bad_request_error", "sort_by", "Invalid sort_by: " + sortBy
                        + ". Must be one of: spend, max_budget, created_at, updated_at, token, key_alias");
            }
        }
        String order = KeyManagement.first(params, "sort_order");
        boolean descending = order == null || !order.toLowerCase(Locale.ROOT).equals("asc");
        String keyHash = KeyManagement.first(params, "key_hash");
        KeyQuery query = new KeyQuery(KeyManagement.first(params, "user_id"), KeyManagement.first(params, "team_id"),
                KeyManagement.first(params, "key_alias"), keyHash == null ? null : KeyHash.ofKeyOrHash(keyHash),
                sort, descending, page, size);
        Page<VirtualKey> result = store.list(query);
        boolean full = "true".equalsIgnoreCase(KeyManagement.first(params, "return_full_object"));
        List<Object> items = new ArrayList<>(result.items().size());
        for (VirtualKey key : result.items()) {
            items.add(full ? KeyViews.row(key, true) : key.token());
        }
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        out.put("keys", items);
        out.put("total_count", result.totalCount());
        out.put("current_page", result.page());
        out.put("total_pages", result.totalPages());
        return out;
    }

    /** Applies the fields present in the body; absent fields keep the builder's values. */
    private void apply(Fields f, VirtualKey.Builder b, Instant now) {
        if (f.has("key_alias")) {
            b.keyAlias(blankToNull(f.string("key_alias")));
        }
        if (f.has("duration")) {
            String duration = f.string("duration");
            Optional<BudgetDuration> parsed = duration == null || duration.equals("-1")
                    ? Optional.empty() : parseDuration("duration", duration);
            b.expires(parsed.map(d -> d.after(now, ZoneOffset.UTC)).orElse(null));
        }
        if (f.has("models")) {
            List<String> models = f.strings("models");
            b.models(models == null ? List.of() : models);
        }
        if (f.has("max_budget")) {
            b.maxBudget(budget(f, "max_budget"));
        }
        if (f.has("soft_budget")) {
            b.softBudget(budget(f, "soft_budget"));
        }
        if (f.has("budget_duration")) {
            Optional<BudgetDuration> parsed = parseDuration("budget_duration", f.string("budget_duration"));
            b.budgetDuration(parsed.map(BudgetDuration::toString).orElse(null));
            b.budgetResetAt(parsed.map(d -> d.nextReset(now, ZoneOffset.UTC)).orElse(null));
        }
        if (f.has("user_id")) {
            b.userId(blankToNull(f.string("user_id")));
        }
        if (f.has("team_id")) {
            b.teamId(blankToNull(f.string("team_id")));
        }
        if (f.has("max_parallel_requests")) {
            Long parallel = f.integer("max_parallel_requests");
            b.maxParallelRequests(parallel == null ? null : (int) Math.min(Integer.MAX_VALUE, parallel));
        }
        if (f.has("tpm_limit")) {
            b.tpmLimit(f.integer("tpm_limit"));
        }
        if (f.has("rpm_limit")) {
            b.rpmLimit(f.integer("rpm_limit"));
        }
        if (f.has("model_rpm_limit")) {
            Map<String, Long> limits = f.longMap("model_rpm_limit");
            b.modelRpmLimit(limits == null ? Map.of() : limits);
        }
        if (f.has("model_tpm_limit")) {
            Map<String, Long> limits = f.longMap("model_tpm_limit");
            b.modelTpmLimit(limits == null ? Map.of() : limits);
        }
        if (f.has("metadata")) {
            Map<String, @Nullable Object> metadata = f.object("metadata");
            b.metadata(Json.writeString(metadata == null ? Map.of() : metadata));
        }
        if (f.has("aliases")) {
            Map<String, @Nullable Object> aliases = f.object("aliases");
            b.aliases(Json.writeString(aliases == null ? Map.of() : aliases));
        }
        if (f.has("tags")) {
            List<String> tags = f.strings("tags");
            b.tags(tags == null ? List.of() : tags);
        }
        if (f.has("blocked")) {
            Boolean blocked = f.bool("blocked");
            b.blocked(blocked != null && blocked);
        }
    }

    private static boolean hasUpdateFields(Fields f) {
        for (String name : List.of("key_alias", "duration", "models", "max_budget", "soft_budget", "budget_duration",
                "user_id", "team_id", "max_parallel_requests", "tpm_limit", "rpm_limit", "model_rpm_limit",
                "model_tpm_limit", "metadata", "aliases", "tags", "blocked")) {
            if (f.has(name)) {
                return true;
            }
        }
        return false;
    }

    static Optional<BudgetDuration> parseDuration(String field, @Nullable String text) {
        try {
            return BudgetDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "bad_request_error", field, "Invalid " + field + ": '" + text
                    + "'. Expected a number and a unit: 30s, 30m, 30h, 30d, 1w or 1mo");
        }
    }

    private static @Nullable Double budget(Fields f, String name) {
        Double value = f.number(name);
        if (value != null && (value < 0 || !Double.isFinite(value))) {
            throw new BadRequest(name + " cannot be negative. Received: " + value);
        }
        return value;
    }

    private static double nonNegative(Fields f, String name, double absent) {
        Double value = budget(f, name);
        return value == null ? absent : value;
    }

    private static String requiredKey(Fields f) {
        String key = f.string("key");
        if (key == null || key.isBlank()) {
            throw new BadRequest(400, "bad_request_error", "key", "key: the key or its hash is required");
        }
        return key;
    }

    private VirtualKey find(String keyOrHash) {
        return store.find(KeyHash.ofKeyOrHash(keyOrHash)).orElseThrow(() -> notFound());
    }

    private static BadRequest notFound() {
        return new BadRequest(404, "not_found_error", "key", "Key not found in database");
    }

    private static String callerId(Principal caller) {
        KeyGrant key = caller.key();
        if (key == null) {
            return MASTER_USER_ID;
        }
        String userId = key.userId();
        return userId != null ? userId : key.tokenHash();
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }

    static int intParam(Map<String, List<String>> params, String name, int absent, int min, int max) {
        String text = KeyManagement.first(params, name);
        if (text == null) {
            return absent;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Answered below with the accepted range.
        }
        throw new BadRequest(400, "bad_request_error", name, name + ": expected an integer from " + min + " to "
                + max + ", got '" + text + "'");
    }

    /** LiteLLM's masking of a refused key in messages: the first and last four characters. */
    static String mask(String key) {
        if (key.length() <= 8) {
            return "****";
        }
        return key.substring(0, 4) + "****" + key.substring(key.length() - 4);
    }
}
