package dev.llmproxy.proxy.management;

import dev.llmproxy.store.VirtualKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A stored key as LiteLLM's responses show it: snake_case columns, ISO-8601 times, JSON columns as objects. */
final class KeyViews {
    private KeyViews() {}

    /** The key's columns; the hash ({@code token}) only when {@code withToken}, as {@code /key/info} leaves it out. */
    static Map<String, @Nullable Object> row(VirtualKey key, boolean withToken) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        if (withToken) {
            out.put("token", key.token());
        }
        out.put("key_name", key.keyName());
        out.put("key_alias", key.keyAlias());
        out.put("spend", key.spend());
        out.put("max_budget", key.maxBudget());
        out.put("soft_budget", key.softBudget());
        out.put("budget_duration", key.budgetDuration());
        out.put("budget_reset_at", iso(key.budgetResetAt()));
        out.put("expires", iso(key.expires()));
        out.put("models", key.models());
        out.put("aliases", new Json.RawJson(key.aliases()));
        out.put("user_id", key.userId());
        out.put("team_id", key.teamId());
        out.put("max_parallel_requests", key.maxParallelRequests());
        out.put("tpm_limit", key.tpmLimit());
        out.put("rpm_limit", key.rpmLimit());
        out.put("model_rpm_limit", key.modelRpmLimit());
        out.put("model_tpm_limit", key.modelTpmLimit());
        out.put("metadata", new Json.RawJson(key.metadata()));
        out.put("tags", key.tags());
        out.put("blocked", key.blocked());
        out.put("created_at", iso(key.createdAt()));
        out.put("updated_at", iso(key.updatedAt()));
        out.put("created_by", key.createdBy());
        out.put("updated_by", key.updatedBy());
        return out;
    }

    private static @Nullable String iso(@Nullable Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
