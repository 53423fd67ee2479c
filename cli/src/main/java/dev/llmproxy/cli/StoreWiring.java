package dev.llmproxy.cli;

import dev.llmproxy.proxy.auth.Authenticator;
import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.keys.KeyCacheSettings;
import dev.llmproxy.proxy.keys.AccessGroups;
import dev.llmproxy.proxy.keys.KeyService;
import dev.llmproxy.proxy.management.KeyManagement;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.server.ServerComponents;
import dev.llmproxy.proxy.spend.PriceTable;
import dev.llmproxy.proxy.spend.SpendListener;
import dev.llmproxy.store.BudgetDuration;
import dev.llmproxy.store.SpendWriter;
import dev.llmproxy.store.SpendWriterConfig;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoreConfig;
import dev.llmproxy.store.StoreException;
import dev.llmproxy.store.Stores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store and what runs on it: virtual keys (authenticator, key cache, {@code /key/...} routes) and spend (price
 * table, spend listener, journaled writer). On when a master key is set, as in LiteLLM, whose key management needs
 * one; the database is {@code general_settings.database_url} or {@code DATABASE_URL} (PostgreSQL), else an embedded
 * H2 file under the working directory.
 *
 * <p>Closing order, after the server has drained (so every call's record has reached the listener): the sweep of
 * expired kept responses, the spend writer (journals and commits everything accepted), the key service, the store.
 */
final class StoreWiring implements AutoCloseable {
    /** The {@code general_settings} keys read here (not reported as ignored). */
    static final Set<String> SETTINGS = Set.of("general_settings.database_url",
            "general_settings.database_connection_pool_limit", "general_settings.proxy_batch_write_at",
            "general_settings.disable_spend_logs", "general_settings.key_cache_size",
            "general_settings.model_prices_path", "general_settings.spend_journal_dir",
            "general_settings.stored_responses_retention_period");
    /** How often expired kept responses are deleted. */
    static final Duration SWEEP_INTERVAL = Duration.ofHours(1);
    static final Path DEFAULT_JOURNAL = Path.of("llmproxy-data", "spend-journal");

    private final Store store;
    private final SpendWriter spendWriter;
    private final KeyService keys;
    private final SpendListener spend;
    private final KeyManagement management;
    private final StoreResponses responses;
    /** The spend listener's prices, which the answers' cost header must use too. */
    private final PriceTable prices;
    /** Runs the sweep of expired kept responses, off the event loops; stopped before the store closes. */
    private final ScheduledExecutorService sweeper;

    private StoreWiring(Store store, SpendWriter spendWriter, KeyService keys, SpendListener spend,
            KeyManagement management, StoreResponses responses, PriceTable prices) {
        this.store = store;
        this.spendWriter = spendWriter;
        this.keys = keys;
        this.spend = spend;
        this.management = management;
        this.responses = responses;
        this.prices = prices;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "llmproxy-responses-sweep");
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(responses::sweep, 0, SWEEP_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the store for {@code config}, or returns null when there is no master key (virtual keys are then off).
     *
     * @throws ConfigException if a setting is invalid
     * @throws StoreException if the database cannot be opened
     */
    static @Nullable StoreWiring open(ProxyConfig config, RouteTable routes, Map<String, String> env, Clock clock) {
        Logger log = LoggerFactory.getLogger("llmproxy");
        String masterKey = config.generalSettings().masterKey();
        if (masterKey == null) {
            log.info("No master key: virtual keys, budgets and spend tracking are off (they need a master key)");
            return null;
        }
        Map<String, @Nullable Object> general = config.generalSettings().other();
        StoreConfig storeConfig = storeConfig(general, env);
        PriceTable prices = prices(config);
        Integer cacheSize = integer(general, "key_cache_size");
        KeyCacheSettings cacheSettings = cacheSize == null
                ? KeyCacheSettings.DEFAULTS : KeyCacheSettings.DEFAULTS.withCapacity(cacheSize);
        String journal = string(general, "spend_journal_dir");
        BudgetDuration retention = retention(general);
        Store store = Stores.open(storeConfig);
        SpendWriter writer;
        try {
            writer = store.openSpendWriter(SpendWriterConfig.of(journal == null ? DEFAULT_JOURNAL : Path.of(journal),
                    integer(general, "proxy_batch_write_at")).withSpendLogs(!flag(general, "disable_spend_logs")));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        KeyService keys = KeyService.start(store, masterKey, cacheSettings, storeConfig.poolSize(), clock,
                AccessGroups.of(routes.accessGroups()));
        log.info("Virtual keys and spend on {} ({} model price(s))",
                storeConfig.isEmbedded() ? "the embedded database " + storeConfig.embeddedPath() : "PostgreSQL",
                prices.size());
        return new StoreWiring(store, writer, keys, new SpendListener(routes, prices, writer, clock, keys.endUsers()),
                new KeyManagement(keys, clock), new StoreResponses(store.responses(), keys.storeExecutor(), retention,
                        clock), prices);
    }

    /**
     * How long a bridged response is kept: {@code general_settings.stored_responses_retention_period} (a duration
     * such as {@code 30d} or {@code 12h}), 30 days by default.
     *
     * @throws ConfigException if the setting is not a positive duration
     */
    static BudgetDuration retention(Map<String, @Nullable Object> general) {
        String text = string(general, "stored_responses_retention_period");
        if (text == null) {
            return StoreResponses.DEFAULT_RETENTION;
        }
        try {
            Optional<BudgetDuration> parsed = BudgetDuration.parse(text);
            if (parsed.isPresent() && parsed.get().amount() > 0) {
                return parsed.get();
            }
        } catch (IllegalArgumentException e) {
            // Reported below with the setting's name.
        }
        throw new ConfigException("general_settings.stored_responses_retention_period: expected a duration such as "
                + "30d, 12h or 1w, got '" + text + "'");
    }

    /**
     * The model prices: the bundled table, overlaid with {@code general_settings.model_prices_path} when set.
     *
     * @throws IllegalArgumentException if that file cannot be read
     */
    static PriceTable prices(ProxyConfig config) {
        String pricesPath = string(config.generalSettings().other(), "model_prices_path");
        return pricesPath == null ? PriceTable.bundled() : PriceTable.bundledWith(Path.of(pricesPath));
    }

    /**
     * The database of {@code general_settings} ({@code database_url}, {@code database_connection_pool_limit}), else
     * {@code DATABASE_URL}, else the embedded file under the working directory.
     *
     * @throws ConfigException if a setting is invalid
     */
    static StoreConfig storeConfig(Map<String, @Nullable Object> general, Map<String, String> env) {
        String url = string(general, "database_url");
        if (url == null || url.isBlank()) {
            url = env.get("DATABASE_URL");
        }
        Integer poolSize = integer(general, "database_connection_pool_limit");
        return StoreConfig.of(url, poolSize, StoreConfig.DEFAULT_EMBEDDED_PATH);
    }

    /** The model prices the spend listener charges by. */
    PriceTable prices() {
        return prices;
    }

    /** The master key and the store's virtual keys. */
    Authenticator authenticator() {
        return keys.authenticator();
    }

    /** Adds the spend listener, the management routes, the end-user checks and the kept bridged responses. */
    void apply(ServerComponents.Builder components) {
        components.listener(spend).management(management).endUsers(keys.endUsers())
                .bridgedResponses(responses);
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        try {
            spendWriter.close();
        } finally {
            keys.close();
            store.close();
        }
    }

    private static @Nullable String string(Map<String, @Nullable Object> settings, String name) {
        Object value = settings.get(name);
        return value == null ? null : value.toString();
    }

    private static boolean flag(Map<String, @Nullable Object> settings, String name) {
        Object value = settings.get(name);
        if (value == null || value instanceof Boolean b && !b) {
            return false;
        }
        if (value instanceof Boolean || "true".equalsIgnoreCase(value.toString().trim())) {
            return true;
        }
        if ("false".equalsIgnoreCase(value.toString().trim())) {
            return false;
        }
        throw new ConfigException("general_settings." + name + ": expected true or false, got '" + value + "'");
    }

    private static @Nullable Integer integer(Map<String, @Nullable Object> settings, String name) {
        Object value = settings.get(name);
        if (value == null) {
            return null;
        }
        try {
            int n = value instanceof Number number ? number.intValue() : Integer.parseInt(value.toString().trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below with the setting's name.
        }
        throw new ConfigException("general_settings." + name + ": expected a whole number > 0, got '" + value + "'");
    }
}
