package dev.llmproxy.codec.bedrock;

import java.util.List;

/**
 * Thrown by {@link ConverseRequestEncoder} for a request whose media are web URLs that the caller has not downloaded:
 * Converse takes media only as bytes. The caller downloads {@link #urls()} and encodes again with them.
 *
 * <p>Thread-safety: immutable. Stackless: it is an answer, not a fault.
 */
public final class MediaUrlsNeeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> urls;

    MediaUrlsNeeded(List<String> urls) {
        super(urls.size() + " media URL(s) to download", null, false, false);
        this.urls = List.copyOf(urls);
    }

    /** The URLs to download, each once, in the order the request names them. */
    public List<String> urls() {
        return urls;
    }
}
