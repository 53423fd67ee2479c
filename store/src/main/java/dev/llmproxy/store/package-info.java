/**
 * The store's API: virtual keys, users, teams and their memberships ({@link dev.llmproxy.store.Store}), and spend
 * records written in batches by a {@link dev.llmproxy.store.SpendWriter} that never loses an accepted record.
 *
 * <p>Everything here is plain records and interfaces; the JDBI implementation lives in
 * {@code dev.llmproxy.store.jdbi}, which other modules never import. Open a store with
 * {@link dev.llmproxy.store.Stores#open(StoreConfig)}. Every method may block on the database: never call one on an
 * event loop.
 */
@org.jspecify.annotations.NullMarked
package dev.llmproxy.store;
