/**
 * The store on JDBI 3: HikariCP pool, Flyway migrations, SQL-object DAOs over LiteLLM's table names, and the spend
 * writer with its journal. Other modules never import this package; they use {@link dev.llmproxy.store.Stores}.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.store.jdbi;
