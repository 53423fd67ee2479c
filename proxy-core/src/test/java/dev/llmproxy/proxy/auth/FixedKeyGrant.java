package dev.llmproxy.proxy.auth;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A virtual key for tests of what the request's listeners record about the caller: it names its hash, alias, user
 * and team, allows every model and admits every call.
 */
public record FixedKeyGrant(String tokenHash, @Nullable String keyAlias, @Nullable String userId,
        @Nullable String teamId, double spend) implements KeyGrant {

    @Override
    public String displayName() {
        return "sk-...test";
    }

    @Override
    public List<String> tags() {
        return List.of();
    }

    @Override
    public boolean isAdmin() {
        return false;
    }

    @Override
    public boolean allowsModel(String model) {
        return true;
    }

    @Override
    public @Nullable KeyRefusal checkModel(String model) {
        return null;
    }

    @Override
    public @Nullable KeyRefusal admit(@Nullable String model, long nowMillis) {
        return null;
    }

    @Override
    public void release(@Nullable String model, long nowMillis, long tokens, double costUsd) {}
}
