package dev.llmproxy.cli;

import dev.llmproxy.proxy.config.ConfigException;
import dev.llmproxy.proxy.config.ConfigLoader;
import dev.llmproxy.store.DatabaseUrl;
import dev.llmproxy.store.LiteLlmImportReport;
import dev.llmproxy.store.Store;
import dev.llmproxy.store.StoreConfig;
import dev.llmproxy.store.StoreException;
import dev.llmproxy.store.Stores;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code llmproxy import-litellm --from postgresql://...}: copies keys, users, teams, memberships, end users and budgets
 * from a LiteLLM proxy database into llmproxy's store (the one the config names, as the server would open it) and prints
 * what it copied and what it could not. Safe to run again; the LiteLLM database is only read.
 */
@Command(
        name = "import-litellm",
        mixinStandardHelpOptions = true,
        description = "Copy virtual keys, users, teams, team memberships, end users and budgets from a LiteLLM proxy "
                + "database into llmproxy's store; running it again gives the same result.")
final class ImportLiteLlmCommand implements Callable<Integer> {

    @Option(names = "--from", required = true,
            description = "LiteLLM's DATABASE_URL (postgresql://user:password@host:port/db, or a jdbc: URL)")
    String from = "";

    @Option(names = "--config", description = "llmproxy's config.yaml: its general_settings.database_url is the "
            + "target (else env DATABASE_URL, else the embedded database under the working directory)")
    @Nullable Path config;

    @ParentCommand
    @Nullable Main parent;

    @Override
    public Integer call() {
        Main main = java.util.Objects.requireNonNull(parent, "parent");
        PrintWriter out = main.out();
        PrintWriter err = main.err();
        Map<String, String> env = main.env();
        LogSetup.apply(LogSetup.level(env, false));
        DatabaseUrl source;
        StoreConfig target;
        try {
            source = DatabaseUrl.parse(from);
            Map<String, @Nullable Object> general = config == null
                    ? Map.of() : ConfigLoader.load(config, env).generalSettings().other();
            target = StoreWiring.storeConfig(general, env);
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("llmproxy import-litellm: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        String into = target.isEmbedded() ? "the embedded database " + target.embeddedPath() : "PostgreSQL";
        LiteLlmImportReport report;
        try (Store store = Stores.open(target)) {
            report = store.importLiteLlm(source);
        } catch (StoreException e) {
            Throwable cause = e.getCause();
            err.println("llmproxy import-litellm: " + e.getMessage()
                    + (cause != null ? " (" + cause.getMessage() + ")" : "")
                    + "; nothing of the failed table was kept");
            return Main.EXIT_STORE;
        }
        out.println("Imported from LiteLLM (" + source + ") into " + into + ":");
        out.println("  keys: " + report.keys() + ", users: " + report.users() + ", teams: " + report.teams()
                + ", team memberships: " + report.memberships() + ", end users: " + report.endUsers()
                + ", budgets: " + report.budgets());
        print(out, "Not copied", report.skipped());
        print(out, "Copied without some values", report.notCopied());
        out.flush();
        return 0;
    }

    private static void print(PrintWriter out, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        out.println(title + " (" + lines.size() + "):");
        for (String line : lines) {
            out.println("  - " + line);
        }
    }
}
