package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.store.ResponseStore;
import dev.llmproxy.store.StoredResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** {@link ResponseStore} on plain statements. Thread-safe: each call runs on its own handle. */
final class JdbiResponseStore implements ResponseStore {
    private final Jdbi jdbi;
    private final Clock clock;

    JdbiResponseStore(Jdbi jdbi, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public void save(StoredResponse response) {
        requireNonNull(response, "response");
        try {
            jdbi.useTransaction(h -> {
                h.createUpdate("DELETE FROM llmproxy_responses WHERE response_id = :id")
                        .bind("id", response.responseId()).execute();
                h.createUpdate("INSERT INTO llmproxy_responses (response_id, model_group, key_hash, user_id, "
                                + "team_id, input_items, response, created_at, expires_at) VALUES (:id, :model, :key, "
                                + ":user, :team, :input, :response, :created, :expires)")
                        .bind("id", response.responseId())
                        .bind("model", response.modelGroup())
                        .bind("key", response.owner().keyHash())
                        .bind("user", response.owner().userId())
                        .bind("team", response.owner().teamId())
                        .bind("input", response.inputItems())
                        .bind("response", response.response())
                        .bindByType("created", clock.instant(), Instant.class)
                        .bindByType("expires", response.expiresAt(), Instant.class)
                        .execute();
            });
        } catch (RuntimeException e) {
            throw Failures.translate("save response", e);
        }
    }

    @Override
    public Optional<StoredResponse> find(String responseId) {
        requireNonNull(responseId, "responseId");
        try {
            return jdbi.withHandle(h -> h.createQuery("SELECT response_id, model_group, key_hash, user_id, team_id, "
                            + "input_items, response, created_at, expires_at FROM llmproxy_responses "
                            + "WHERE response_id = :id AND expires_at > :now")
                    .bind("id", responseId)
                    .bindByType("now", clock.instant(), Instant.class)
                    .map((rs, ctx) -> new StoredResponse(rs.getString("response_id"), rs.getString("model_group"),
                            new StoredResponse.Owner(rs.getString("key_hash"), rs.getString("user_id"),
                                    rs.getString("team_id")),
                            rs.getString("input_items"), rs.getString("response"),
                            Rows.requiredInstant(rs, "created_at"), Rows.requiredInstant(rs, "expires_at")))
                    .findOne());
        } catch (RuntimeException e) {
            throw Failures.translate("find response", e);
        }
    }

    @Override
    public boolean delete(String responseId) {
        requireNonNull(responseId, "responseId");
        try {
            return jdbi.withHandle(h -> h.createUpdate("DELETE FROM llmproxy_responses WHERE response_id = :id")
                    .bind("id", responseId).execute()) > 0;
        } catch (RuntimeException e) {
            throw Failures.translate("delete response", e);
        }
    }

    @Override
    public int deleteExpired() {
        try {
            return jdbi.withHandle(h -> h.createUpdate("DELETE FROM llmproxy_responses WHERE expires_at <= :now")
                    .bindByType("now", clock.instant(), Instant.class).execute());
        } catch (RuntimeException e) {
            throw Failures.translate("delete expired responses", e);
        }
    }
}
