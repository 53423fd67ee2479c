package dev.llmproxy.store;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A key, user, team or end user that some instance sharing the database wrote or deleted: what
 * {@link Store#watchChanges} delivers and {@link Store#deletedSince} lists. It names the row, not what happened to it:
 * the receiver reads the row again and finds it changed or gone.
 *
 * @param kind what the id names
 * @param id the key's hash, or the user, team or end user id
 */
public record StoreChange(Kind kind, String id) {

    /** Validates the change. */
    public StoreChange {
        requireNonNull(kind, "kind");
        requireNonNull(id, "id");
    }

    /** What a change names. */
    public enum Kind {
        /** A virtual key, by hash. */
        KEY,
        /** A user of the proxy. */
        USER,
        /** A team (its memberships included). */
        TEAM,
        /** An end user (customer). */
        END_USER;

        /** The name stored in the deletions table and sent in notifications. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The kind of a {@link #wireName()}, or null for a name this version does not know. */
        public static @Nullable Kind ofWireName(String name) {
            for (Kind kind : values()) {
                if (kind.wireName().equals(name)) {
                    return kind;
                }
            }
            return null;
        }
    }
}
