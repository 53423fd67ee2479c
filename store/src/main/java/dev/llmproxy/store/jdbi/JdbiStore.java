package dev.llmproxy.store.jdbi;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import dev.llmproxy.store.Budget;
import dev.llmproxy.store.BudgetResetCounts;
import dev.llmproxy.store.DatabaseUrl;
import dev.llmproxy.store.EndUserStore;
import dev.llmproxy.store.KeyStore;
import dev.llmproxy.store.LiteLlmImportReport;
import dev.llmproxy.store.ResponseStore;
import dev.llmproxy.store.SpendReports;
import dev.llmproxy.store.SpendWriter;
import dev.llmproxy.store.SpendWriterConfig;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoreChange;
import dev.llmproxy.store.StoreConfig;
import dev.llmproxy.store.StoreException;
import dev.llmproxy.store.TeamStore;
import dev.llmproxy.store.UserStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} on JDBI over a HikariCP pool. Public only so that {@link dev.llmproxy.store.Stores} can open it;
 * other modules use the {@link Store} interface. Thread-safe.
 */
public final class JdbiStore implements Store {
    private static final Logger logger = LoggerFactory.getLogger(JdbiStore.class);

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final KeyStore keys;
    private final UserStore users;
    private final TeamStore teams;
    private final EndUserStore endUsers;
    private final JdbiBudgetResets budgetResets;
    private final SpendReports spendReports;
    private final ResponseStore responses;
    private final Clock clock;
    private final @Nullable KeyChanges keyChanges;

    private JdbiStore(HikariDataSource dataSource, Clock clock, @Nullable KeyChanges keyChanges) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
        jdbi.registerArgument(new UtcInstantArgumentFactory());
        jdbi.registerRowMapper(new VirtualKeyRowMapper());
        jdbi.registerRowMapper(new UserRowMapper());
        jdbi.registerRowMapper(new TeamRowMapper());
        jdbi.registerRowMapper(new TeamMembershipRowMapper());
        jdbi.registerRowMapper(new EndUserRowMapper());
        jdbi.registerRowMapper(Budget.class, (rs, ctx) -> EndUserRowMapper.budget(rs, ""));
        jdbi.registerRowMapper(DueBudget.class,
                (rs, ctx) -> new DueBudget(rs.getString("id"), rs.getString("budget_duration")));
        this.keyChanges = keyChanges;
        this.keys = new JdbiKeyStore(jdbi, clock, keyChanges);
        this.users = new JdbiUserStore(jdbi, clock, keyChanges);
        this.teams = new JdbiTeamStore(jdbi, clock, keyChanges);
        this.endUsers = new JdbiEndUserStore(jdbi, clock, keyChanges);
        this.budgetResets = new JdbiBudgetResets(jdbi);
        this.spendReports = new JdbiSpendReports(jdbi);
        this.responses = new JdbiResponseStore(jdbi, clock);
        this.clock = clock;
    }

    /**
     * Opens the pool and migrates the schema.
     *
     * @throws StoreException if the database cannot be reached or a migration fails
     */
    public static Store open(StoreConfig config, Clock clock) {
        requireNonNull(config, "config");
        requireNonNull(clock, "clock");
        HikariDataSource dataSource = DataSources.create(config);
        try {
            Migrations.migrate(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        logger.info("Store open: {}", config.isEmbedded()
                ? "embedded database " + config.embeddedPath().toAbsolutePath()
                : "database " + dataSource.getJdbcUrl());
        DatabaseUrl url = config.databaseUrl();
        return new JdbiStore(dataSource, clock, url != null && url.isPostgres() ? new KeyChanges(url) : null);
    }

    @Override
    public KeyStore keys() {
        return keys;
    }

    @Override
    public ResponseStore responses() {
        return responses;
    }

    @Override
    public UserStore users() {
        return users;
    }

    @Override
    public TeamStore teams() {
        return teams;
    }

    @Override
    public EndUserStore endUsers() {
        return endUsers;
    }

    @Override
    public SpendReports spendReports() {
        return spendReports;
    }

    @Override
    public LiteLlmImportReport importLiteLlm(DatabaseUrl source) {
        return new LiteLlmImporter(jdbi, clock).run(source);
    }

    @Override
    public SpendWriter openSpendWriter(SpendWriterConfig config) {
        return JdbiSpendWriter.start(jdbi, config, System::nanoTime);
    }

    @Override
    public BudgetResetCounts resetDueBudgets(Instant now, ZoneId zone) {
        return budgetResets.resetDue(now, zone);
    }

    @Override
    public AutoCloseable watchChanges(Consumer<StoreChange> listener) {
        requireNonNull(listener, "listener");
        KeyChanges changes = keyChanges;
        return changes == null ? () -> { } : changes.listen(listener);
    }

    @Override
    public List<StoreChange> deletedSince(Instant since) {
        requireNonNull(since, "since");
        try {
            return Deletions.since(jdbi, since);
        } catch (RuntimeException e) {
            throw Failures.translate("read deletions", e);
        }
    }

    @Override
    public boolean isReachable() {
        try {
            return jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            logger.debug("Store unreachable", e);
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** The JDBI instance, for this package's tests. */
    Jdbi jdbi() {
        return jdbi;
    }
}
