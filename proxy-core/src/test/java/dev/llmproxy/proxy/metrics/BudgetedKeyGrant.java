package dev.llmproxy.proxy.metrics;

import dev.llmproxy.proxy.auth.BudgetState;
import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.KeyRefusal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A virtual key for the metrics tests whose budgets (its own, its team's, its user's) the test sets. */
final class BudgetedKeyGrant implements KeyGrant {
    private final String hash;
    private final @Nullable String alias;
    private final @Nullable String team;
    private final @Nullable String user;
    volatile BudgetState own;
    private final @Nullable BudgetState teamBudget;
    private final @Nullable BudgetState userBudget;

    BudgetedKeyGrant(String hash, @Nullable String alias, @Nullable String team, @Nullable String user,
            BudgetState own, @Nullable BudgetState teamBudget, @Nullable BudgetState userBudget) {
        this.hash = hash;
        this.alias = alias;
        this.team = team;
        this.user = user;
        this.own = own;
        this.teamBudget = teamBudget;
        this.userBudget = userBudget;
    }

    @Override
    public String tokenHash() {
        return hash;
    }

    @Override
    public String displayName() {
        return "sk-...test";
    }

    @Override
    public @Nullable String keyAlias() {
        return alias;
    }

    @Override
    public @Nullable String userId() {
        return user;
    }

    @Override
    public @Nullable String teamId() {
        return team;
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
    public double spend() {
        return own.spendUsd();
    }

    @Override
    public BudgetState budget() {
        return own;
    }

    @Override
    public @Nullable BudgetState teamBudget() {
        return teamBudget;
    }

    @Override
    public @Nullable BudgetState userBudget() {
        return userBudget;
    }

    @Override
    public @Nullable KeyRefusal admit(@Nullable String model, long nowMillis) {
        return null;
    }

    @Override
    public void release(@Nullable String model, long nowMillis, long tokens, double costUsd) {}
}
