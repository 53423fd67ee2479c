package dev.llmproxy.cli;

import dev.llmproxy.limiter.LocalLimitStore;
import dev.llmproxy.proxy.config.CallbackSettings;
import dev.llmproxy.proxy.config.ConfigCheck;
import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.proxy.config.MissingVariable;
import dev.llmproxy.proxy.config.ProxyConfig;
import dev.llmproxy.proxy.config.RouterSettings;
import dev.llmproxy.proxy.route.Deployment;
import dev.llmproxy.proxy.route.LimitingRouter;
import dev.llmproxy.proxy.route.RouteTable;
import dev.llmproxy.proxy.route.RoutingStats;
import dev.llmproxy.proxy.trace.Callbacks;
import dev.llmproxy.proxy.trace.TraceSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code llmproxy --config X --check}: loads the config as the server would, without starting it, and reports every
 * problem at once: each unset {@code os.environ/} variable by name (the load goes on with the value absent), the first
 * invalid value, limits too large to enforce, a trace callback missing what it needs (MLflow's URI, Langfuse's keys, a
 * malformed {@code OTEL_*} variable), and deployments whose provider this version cannot call yet, callbacks it does
 * not implement and trace settings it reads differently (warnings: the server starts).
 */
final class ConfigCheckReport {
    private final PrintWriter out;

    ConfigCheckReport(PrintWriter out) {
        this.out = out;
    }

    /** Checks {@code file}; answers 0 when the server would start with it, else {@link Main#EXIT_CONFIG}. */
    int run(Path file, Map<String, String> env) {
        ConfigCheck check = ConfigLoader.check(file, env);
        int errors = 0;
        Set<String> variables = new LinkedHashSet<>();
        for (MissingVariable missing : check.missing()) {
            out.println("error: " + missing);
            variables.add(missing.name());
            errors++;
        }
        ConfigException invalid = check.error();
        ProxyConfig config = check.config();
        int unsupported = 0;
        int deployments = 0;
        int groups = 0;
        if (invalid != null || config == null) {
            out.println("error: " + (invalid != null ? invalid.getMessage() : "the config did not load"));
            errors++;
        } else {
            try {
                RouteTable routes = RouteTable.build(config);
                RouterSettings router = config.routerSettings();
                // Built for its checks only: limits too large to enforce together and prices that are not numbers.
                new LimitingRouter(routes, LocalLimitStore.INSTANCE, System::currentTimeMillis,
                        router.routingStrategy(), router.strategyArgs(), new RoutingStats(routes, () -> 0));
                for (Deployment deployment : routes.deployments()) {
                    if (!deployment.provider().supported()) {
                        out.println("warning: " + deployment.config().location() + ": " + deployment.config().keyPath()
                                + " (" + deployment.modelGroup() + "): provider " + deployment.provider().name()
                                + " is not supported by this llmproxy version yet; its requests get a 400");
                        unsupported++;
                    }
                }
                deployments = routes.deployments().size();
                groups = routes.publicModels().size();
            } catch (ConfigException e) {
                out.println("error: " + e.getMessage());
                errors++;
            }
            errors += checkCallbacks(config);
            if (!config.ignoredKeys().isEmpty()) {
                out.println("note: keys llmproxy does not implement yet (ignored): "
                        + String.join(", ", config.ignoredKeys()));
            }
        }
        out.println(file + ": " + (errors == 0 ? "OK" : errors + " error(s)") + "; " + groups + " model name(s), "
                + deployments + " deployment(s), " + variables.size() + " unset variable(s)"
                + (variables.isEmpty() ? "" : " (" + String.join(", ", variables) + ")") + ", " + unsupported
                + " deployment(s) with an unsupported provider");
        out.flush();
        return errors == 0 ? 0 : Main.EXIT_CONFIG;
    }

    /** What the server's start says of the callbacks, as errors and warnings; returns the number of errors. */
    private int checkCallbacks(ProxyConfig config) {
        CallbackSettings settings = config.litellmSettings().callbacks();
        Callbacks callbacks = Callbacks.of(settings.callbacks(), settings.successCallbacks(),
                settings.failureCallbacks());
        if (!callbacks.unsupported().isEmpty()) {
            out.println("warning: callbacks llmproxy does not support, ignored: "
                    + String.join(", ", callbacks.unsupported()));
        }
        try {
            TraceSettings.fromEnvironment(callbacks, config.environment()).warnings()
                    .forEach(warning -> out.println("warning: " + warning));
            return 0;
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            return 1;
        }
    }
}
