package dev.llmproxy.proxy.provider;

import static java.util.Objects.requireNonNull;

import dev.llmproxy.codec.bedrock.ConverseRequestEncoder;
import dev.llmproxy.codec.openai.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Downloads the images a request names by URL, for providers that take images only as bytes (Bedrock's Converse),
 * as LiteLLM does: all of a request's URLs at once, on the HTTP client's threads, never on an event loop. Each
 * download is bounded: {@link #MAX_BYTES} (counted as the body arrives, so a larger or endless body is cut off, not
 * held), {@link #TIMEOUT} for the whole exchange, HTTP 200 only, and a content type Converse takes as an image (png,
 * jpeg, gif, webp). Any failure is an {@link InvalidRequestException} naming the URL and the reason, for a 400.
 *
 * <p>Thread-safety: thread-safe; the client is made on first use.
 */
public final class MediaDownloads {
    /** Above Bedrock's own limits (3.75 MB an image), so that Bedrock's limit is the one a client meets. */
    static final int MAX_BYTES = 5 * 1024 * 1024;
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Converse takes at most 20 images a request. */
    static final int MAX_URLS = 20;

    private final Supplier<HttpClient> client;
    private final Executor executor;

    /**
     * @param client the HTTP client downloads use (it should follow redirects), asked for at the first download, on
     *     {@code executor}
     * @param executor starts the downloads, off the event loop
     */
    public MediaDownloads(Supplier<HttpClient> client, Executor executor) {
        this.client = requireNonNull(client, "client");
        this.executor = requireNonNull(executor, "executor");
    }

    /** A client for downloads: HTTP/1.1, redirects followed as browsers do, a short connect timeout. */
    public static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Downloads {@code urls}.
     *
     * @return each URL mapped to its content as a base64 data URL; or exceptionally an
     *     {@link InvalidRequestException}
     */
    public CompletableFuture<Map<String, String>> dataUrls(List<String> urls) {
        if (urls.size() > MAX_URLS) {
            return CompletableFuture.failedFuture(new InvalidRequestException("A request may name at most "
                    + MAX_URLS + " image URLs, not " + urls.size(), "messages"));
        }
        Map<String, CompletableFuture<String>> downloads = new LinkedHashMap<>();
        for (String url : urls) {
            downloads.put(url, download(url));
        }
        return CompletableFuture.allOf(downloads.values().toArray(CompletableFuture[]::new)).handle((ok, failure) -> {
            Map<String, String> dataUrls = new LinkedHashMap<>();
            for (Map.Entry<String, CompletableFuture<String>> download : downloads.entrySet()) {
                CompletableFuture<String> value = download.getValue();
                if (value.isCompletedExceptionally()) {
                    throw new CompletionException(reason(download.getKey(), value));
                }
                dataUrls.put(download.getKey(), value.join());
            }
            return dataUrls;
        });
    }

    private CompletableFuture<String> download(String url) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new InvalidRequestException("Unable to fetch the image at " + url
                    + ": not a valid URL", "messages"));
        }
        String[] mediaType = new String[1];
        HttpResponse.BodyHandler<byte[]> checked = info -> {
            String type = info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT);
            int semicolon = type.indexOf(';');
            mediaType[0] = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
            String problem = info.statusCode() != 200 ? "the server answered HTTP " + info.statusCode()
                    : ConverseRequestEncoder.imageFormat(mediaType[0]) == null ? "its content type '" + mediaType[0]
                            + "' is not an image Bedrock takes (png, jpeg, gif or webp)"
                    : info.headers().firstValueAsLong("content-length").orElse(0) > MAX_BYTES
                            ? "it is larger than " + MAX_BYTES + " bytes" : null;
            return new CappedBody(problem);
        };
        // Started on the executor: the first call makes the client, and nothing of an exchange (not even a name
        // lookup) may run on the event loop that asked. A timed-out exchange is bounded by the request's timeout
        // and the capped body; only its answer is dropped.
        return CompletableFuture.supplyAsync(() -> client.get().sendAsync(request, checked), executor)
                .thenCompose(exchange -> exchange)
                .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(response -> "data:" + mediaType[0] + ";base64,"
                        + Base64.getEncoder().encodeToString(response.body()));
    }

    /** The client-facing failure of the download of {@code url}. */
    private static InvalidRequestException reason(String url, CompletableFuture<String> failed) {
        Throwable cause = null;
        try {
            failed.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            cause = e;
        }
        // The client wraps a body subscriber's failure (in an IOException, a CompletionException): find ours.
        for (Throwable link = cause; link != null; link = link.getCause()) {
            if (link instanceof InvalidRequestException || link instanceof Refused || link instanceof TimeoutException
                    || link instanceof java.net.http.HttpTimeoutException) {
                cause = link;
                break;
            }
        }
        if (cause instanceof InvalidRequestException invalid) {
            return invalid;
        }
        String why = cause instanceof TimeoutException || cause instanceof java.net.http.HttpTimeoutException
                ? "no answer within " + TIMEOUT.toSeconds() + " s"
                : cause instanceof Refused refused ? refused.getMessage()
                : "the connection failed (" + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + ")";
        return new InvalidRequestException("Unable to fetch the image at " + url + ": " + why, "messages");
    }

    /** A refusal found while reading the answer: its message says why. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Collects a body up to {@link #MAX_BYTES}, or refuses it at once when its head already showed a problem. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final @Nullable String problem;
        private Flow.@Nullable Subscription subscription;

        CappedBody(@Nullable String problem) {
            this.problem = problem;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (problem != null) {
                s.cancel();
                result.completeExceptionally(new Refused(problem));
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                if (bytes.size() + item.remaining() > MAX_BYTES) {
                    Flow.Subscription s = subscription;
                    if (s != null) {
                        s.cancel();
                    }
                    result.completeExceptionally(new Refused("it is larger than " + MAX_BYTES + " bytes"));
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
