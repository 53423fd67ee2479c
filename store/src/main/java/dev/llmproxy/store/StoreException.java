package dev.llmproxy.store;

/**
 * A failure of the store: the database could not be reached, a statement failed, or stored data could not be read.
 * The cause, when there is one, is the driver's exception; its message may name SQL and must not reach a client.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message and no cause. */
    public StoreException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the underlying cause. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
