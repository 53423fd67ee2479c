package dev.llmproxy.proxy.route;

import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.DeploymentConfig;
import dev.llmproxy.proxy.provider.GoogleCredentials;
import dev.llmproxy.proxy.provider.GoogleTokenAuth;
import dev.llmproxy.proxy.provider.UpstreamAuth;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@code vertex_ai/} deployment's project and authentication, resolved as LiteLLM resolves them (provider spec,
 * section 4.2); deployments with the same credentials share one token: {@code vertex_credentials}, else {@code VERTEXAI_CREDENTIALS}, else
 * {@code GOOGLE_APPLICATION_CREDENTIALS} (a service account key file, or its JSON); {@code vertex_project}, else
 * {@code VERTEXAI_PROJECT}, else the key's {@code project_id}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param project the Google Cloud project
 * @param auth the service account's refreshing token, or a source that refuses every request when no credentials
 *     were found (Google's application default credentials on a Google Cloud machine are not looked up)
 */
record VertexSettings(String project, UpstreamAuth auth) {

    /** {@code https://<location>-aiplatform.googleapis.com}, or the global endpoint's host for {@code global}. */
    static String host(String location) {
        return location.equals("global") ? "https://aiplatform.googleapis.com"
                : "https://" + location + "-aiplatform.googleapis.com";
    }

    /**
     * @throws ConfigException when the credentials cannot be read or no project is known
     */
    static VertexSettings of(DeploymentConfig entry, Map<String, String> env, Supplier<HttpClient> tokenClient,
            Map<String, UpstreamAuth> tokenSources) {
        Map<String, @Nullable Object> extra = entry.litellmParams().extraParams();
        String where = entry.keyPath() + ".litellm_params.";
        Object configured = extra.get("vertex_credentials");
        if (configured instanceof Map) {
            throw new ConfigException(entry.location(), where + "vertex_credentials",
                    "expected the path of a service account key file, or its JSON as a string");
        }
        String source = first(configured, env, List.of("VERTEXAI_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS"));
        GoogleCredentials credentials = null;
        if (source != null) {
            try {
                credentials = GoogleCredentials.load(source);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(entry.location(), where + "vertex_credentials",
                        String.valueOf(e.getMessage()));
            }
        }
        String project = first(extra.get("vertex_project"), env, List.of("VERTEXAI_PROJECT"));
        if (project == null && credentials != null) {
            project = credentials.projectId();
        }
        if (project == null) {
            throw new ConfigException(entry.location(), where + "vertex_project",
                    "a vertex_ai deployment needs a project: set vertex_project or VERTEXAI_PROJECT");
        }
        if (credentials == null) {
            return new VertexSettings(project, new MissingCredentials("deployment " + entry.id()
                    + " has no vertex_credentials (nor VERTEXAI_CREDENTIALS or GOOGLE_APPLICATION_CREDENTIALS)"));
        }
        UpstreamAuth auth = tokenSources.get(source);
        if (auth == null) {
            // The deployments' wall clock: the route table is built before the server's components and their clock.
            Clock clock = Clock.systemUTC();
            auth = new GoogleTokenAuth(credentials, clock,
                    GoogleTokenAuth.httpEndpoint(tokenClient.get(), clock, ForkJoinPool.commonPool()));
            tokenSources.put(source, auth);
        }
        return new VertexSettings(project, auth);
    }

    private static @Nullable String first(@Nullable Object configured, Map<String, String> env, List<String> names) {
        if (configured != null && !configured.toString().isBlank()) {
            return configured.toString();
        }
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    /** Refuses every request: the attempt fails with an authentication error that names the missing setting. */
    private record MissingCredentials(String reason) implements UpstreamAuth {
        @Override
        public boolean apply(HttpRequest request, ByteBuf body) {
            return false;
        }

        @Override
        public CompletionStage<?> ready() {
            return CompletableFuture.failedFuture(new IllegalStateException(reason));
        }
    }
}
