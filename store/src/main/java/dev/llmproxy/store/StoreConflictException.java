package dev.llmproxy.store;

/** Thrown when a create would duplicate an existing row: the same key hash, key alias, user id or team id. */
public final class StoreConflictException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception naming what already exists. */
    public StoreConflictException(String message) {
        super(message);
    }

    /** Creates an exception naming what already exists, with the driver's exception. */
    public StoreConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
