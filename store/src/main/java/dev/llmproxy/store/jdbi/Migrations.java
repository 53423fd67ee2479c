package dev.llmproxy.store.jdbi;

import dev.llmproxy.store.StoreException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the Flyway migrations in {@code classpath:db/migration} ({@code V<n>__<desc>.sql}). */
final class Migrations {
    private static final Logger logger = LoggerFactory.getLogger(Migrations.class);

    /** Where the migrations live; the same files serve PostgreSQL and H2 in PostgreSQL mode. */
    static final String LOCATION = "classpath:db/migration";

    private Migrations() {}

    /**
     * Migrates the schema to the newest version; a no-op when it is current.
     *
     * @return how many migrations ran
     * @throws StoreException if a migration fails or the schema has a newer version than this build knows
     */
    static int migrate(DataSource dataSource) {
        try {
            MigrateResult result = Flyway.configure()
                    .dataSource(dataSource)
                    .locations(LOCATION)
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            if (result.migrationsExecuted > 0) {
                logger.info("Store schema migrated to version {} ({} migrations)", result.targetSchemaVersion,
                        result.migrationsExecuted);
            }
            return result.migrationsExecuted;
        } catch (FlywayException e) {
            throw new StoreException("schema migration failed", e);
        }
    }
}
