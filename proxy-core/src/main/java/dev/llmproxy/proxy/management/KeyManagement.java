package dev.llmproxy.proxy.management;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.proxy.auth.KeyGrant;
import dev.llmproxy.proxy.auth.Principal;
import dev.llmproxy.proxy.keys.KeyService;
import dev.llmproxy.store.KeyHash;
import dev.llmproxy.store.StoreConflictException;
import dev.llmproxy.store.StoreException;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /key/...}, {@code /user/...}, {@code /team/...} and {@code /customer/...} (end users, also as
 * {@code /end_user/...}) routes with LiteLLM's request fields and response shapes, over the store, and the
 * {@code /spend/...} and {@code /global/spend/...} reports ({@link SpendCommands}).
 * Who may call: the master key, or a virtual key whose user is a proxy admin; {@code /key/info} also answers a key
 * about itself, and {@code /spend/logs} a key about its own user's (or, without a user, its own) rows. Every route
 * runs on the store executor; the caller's event loop is never blocked.
 *
 * <p>Failures are answers: a request to fix gets a 4xx with LiteLLM's message, a store failure a 503 that says the
 * store is unavailable (the cause is logged, never sent).
 *
 * <p>Thread-safety: thread-safe (stateless apart from the shared services).
 */
public final class KeyManagement implements ManagementApi {
    private static final Logger log = LoggerFactory.getLogger(KeyManagement.class);

    private final KeyService keys;
    private final KeyCommands commands;
    private final UserCommands userCommands;
    private final TeamCommands teamCommands;
    private final SpendCommands spendCommands;
    private final CustomerCommands customerCommands;

    /** Routes over {@code keys}' store, stamping times with {@code clock}. */
    public KeyManagement(KeyService keys, Clock clock) {
        this.keys = requireNonNull(keys, "keys");
        this.commands = new KeyCommands(keys, requireNonNull(clock, "clock"));
        this.userCommands = new UserCommands(keys, commands, clock);
        this.teamCommands = new TeamCommands(keys, clock);
        this.spendCommands = new SpendCommands(keys.store(), clock);
        this.customerCommands = new CustomerCommands(keys, clock);
    }

    @Override
    public CompletionStage<ManagementResponse> handle(String method, String uri, byte[] body, Principal principal) {
        QueryStringDecoder query = new QueryStringDecoder(uri);
        Routes route = Routes.route(method, query.path());
        if (route == null) {
            return CompletableFuture.completedFuture(error(new BadRequest(404, "not_found_error", null,
                    "Not Found: " + query.path())));
        }
        if (!principal.isAdmin() && route != Routes.INFO && route != Routes.SPEND_LOGS) {
            return CompletableFuture.completedFuture(error(notAdmin(route, principal)));
        }
        try {
            return CompletableFuture.supplyAsync(() -> answer(route, query, body, principal), keys.storeExecutor());
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(unavailable());
        }
    }

    private ManagementResponse answer(Routes route, QueryStringDecoder query, byte[] body, Principal principal) {
        try {
            Object result = switch (route) {
                case GENERATE -> commands.generate(new Fields(Json.readObject(body)), principal);
                case UPDATE -> commands.update(new Fields(Json.readObject(body)), principal);
                case DELETE -> commands.delete(new Fields(Json.readObject(body)));
                case REGENERATE -> commands.regenerate(new Fields(Json.readObject(body)),
                        Routes.keyInPath(query.path()), principal);
                case BLOCK -> commands.setBlocked(new Fields(Json.readObject(body)), true);
                case UNBLOCK -> commands.setBlocked(new Fields(Json.readObject(body)), false);
                case INFO -> info(query, principal);
                case LIST -> commands.list(query.parameters());
                case USER_NEW -> userCommands.create(new Fields(Json.readObject(body)), principal);
                case USER_UPDATE -> userCommands.update(new Fields(Json.readObject(body)));
                case USER_DELETE -> userCommands.delete(new Fields(Json.readObject(body)));
                case USER_INFO -> userCommands.info(first(query.parameters(), "user_id"));
                case USER_LIST -> userCommands.list(query.parameters());
                case TEAM_NEW -> teamCommands.create(new Fields(Json.readObject(body)));
                case TEAM_UPDATE -> teamCommands.update(new Fields(Json.readObject(body)));
                case TEAM_DELETE -> teamCommands.delete(new Fields(Json.readObject(body)));
                case TEAM_BLOCK -> teamCommands.setBlocked(new Fields(Json.readObject(body)), true);
                case TEAM_UNBLOCK -> teamCommands.setBlocked(new Fields(Json.readObject(body)), false);
                case TEAM_MEMBER_ADD -> teamCommands.addMember(new Fields(Json.readObject(body)));
                case TEAM_MEMBER_DELETE -> teamCommands.deleteMember(new Fields(Json.readObject(body)));
                case TEAM_MEMBER_UPDATE -> teamCommands.updateMember(new Fields(Json.readObject(body)));
                case TEAM_INFO -> teamCommands.info(first(query.parameters(), "team_id"));
                case TEAM_LIST -> teamCommands.list(query.parameters());
                case SPEND_LOGS -> spendCommands.logs(query.parameters(), principal);
                case SPEND_TAGS -> spendCommands.tags(query.parameters());
                case SPEND_KEYS -> spendCommands.keys();
                case GLOBAL_SPEND -> spendCommands.global();
                case GLOBAL_SPEND_REPORT -> spendCommands.report(query.parameters());
                case GLOBAL_SPEND_KEYS -> spendCommands.globalKeys(query.parameters());
                case GLOBAL_SPEND_MODELS -> spendCommands.globalModels(query.parameters());
                case GLOBAL_SPEND_TEAMS -> spendCommands.globalTeams();
                case CUSTOMER_NEW -> customerCommands.create(new Fields(Json.readObject(body)), principal);
                case CUSTOMER_INFO -> customerCommands.info(first(query.parameters(), "end_user_id"));
                case CUSTOMER_UPDATE -> customerCommands.update(new Fields(Json.readObject(body)), principal);
                case CUSTOMER_DELETE -> customerCommands.delete(new Fields(Json.readObject(body)));
                case CUSTOMER_LIST -> customerCommands.list();
                case CUSTOMER_BLOCK -> customerCommands.setBlocked(new Fields(Json.readObject(body)), true);
                case CUSTOMER_UNBLOCK -> customerCommands.setBlocked(new Fields(Json.readObject(body)), false);
            };
            return new ManagementResponse(200, Json.write(result));
        } catch (BadRequest e) {
            return error(e);
        } catch (StoreConflictException e) {
            return error(new BadRequest(400, "bad_request_error", null, conflictMessage(route)));
        } catch (StoreException e) {
            log.warn("{} failed in the store: {}", route.path(), e.toString());
            return unavailable();
        } catch (IllegalArgumentException e) {
            return error(new BadRequest(e.getMessage() == null ? "Invalid request" : e.getMessage()));
        }
    }

    private Object info(QueryStringDecoder query, Principal principal) {
        String asked = first(query.parameters(), "key");
        KeyGrant own = principal.key();
        if (!principal.isAdmin()) {
            String ownToken = own == null ? null : own.tokenHash();
            if (ownToken == null || asked != null && !KeyHash.ofKeyOrHash(asked).equals(ownToken)) {
                throw new BadRequest(403, "auth_error", null, "You are not allowed to access this key's info. "
                        + "Your role=internal_user");
            }
            return commands.info(asked, ownToken);
        }
        if (asked == null) {
            throw new BadRequest(400, "bad_request_error", "key", "key: the key or its hash is required");
        }
        return commands.info(asked, null);
    }

    static @Nullable String first(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String conflictMessage(Routes route) {
        return switch (route) {
            case REGENERATE -> "A key with this value already exists; choose another new_key";
            case GENERATE, UPDATE ->
                    "Key with this alias or value already exists. Unique key aliases across all keys are required.";
            default -> "It already exists";
        };
    }

    private static BadRequest notAdmin(Routes route, Principal principal) {
        String role = principal.key() == null ? "None" : "internal_user";
        return new BadRequest(401, "auth_error", null, "Only proxy admin can be used to generate, delete, update "
                + "info for new keys/users/teams. Route=" + route.path() + ". Your role=" + role);
    }

    static ManagementResponse error(BadRequest e) {
        Map<String, @Nullable Object> error = new LinkedHashMap<>();
        error.put("message", e.getMessage());
        error.put("type", e.type());
        error.put("param", e.param());
        error.put("code", Integer.toString(e.status()));
        return new ManagementResponse(e.status(), Json.write(Map.of("error", error)));
    }

    private static ManagementResponse unavailable() {
        return error(new BadRequest(503, "service_unavailable", null,
                "The key store is unavailable right now; try again"));
    }
}
