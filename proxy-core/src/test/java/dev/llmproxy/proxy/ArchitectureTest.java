package dev.llmproxy.proxy;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.llmproxy.codec.testing.ModuleRules;

/**
 * Package rules of proxy-core (STYLE.md section 1), checked on the main classes its test classpath sees.
 *
 * <p>The arrows (ARCHITECTURE.md): server → call → route → provider → upstream, server → health → route, with auth,
 * config and upstream depending on no other package. They are written as "must not" rules so that packages added
 * later (metrics, key management) may sit above call without changing them.
 */
@AnalyzeClasses(packages = "dev.llmproxy", importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTest {

    @ArchTest
    static final ArchRule proxyPackagesShouldBeFreeOfCycles = slices()
            .matching("dev.llmproxy.proxy.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule proxyShouldNotDependOnCliBenchOrStoreImplementation = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy..")
            .should().dependOnClassesThat()
            .resideInAnyPackage("dev.llmproxy.cli..", "dev.llmproxy.bench..", "dev.llmproxy.store.jdbi..");

    @ArchTest
    static final ArchRule configShouldDependOnNoOtherProxyPackage = dependsOnNoOtherProxyPackage("config");

    @ArchTest
    static final ArchRule authShouldDependOnNoOtherProxyPackage = dependsOnNoOtherProxyPackage("auth");

    @ArchTest
    static final ArchRule upstreamShouldDependOnNoOtherProxyPackage = dependsOnNoOtherProxyPackage("upstream");

    @ArchTest
    static final ArchRule providersShouldOnlyUseUpstream = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.provider..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.llmproxy.proxy.server..",
                    "dev.llmproxy.proxy.call..", "dev.llmproxy.proxy.route..", "dev.llmproxy.proxy.auth..",
                    "dev.llmproxy.proxy.config..");

    @ArchTest
    static final ArchRule routingShouldNotKnowCallsOrTheServer = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.route..")
            .should().dependOnClassesThat()
            .resideInAnyPackage("dev.llmproxy.proxy.server..", "dev.llmproxy.proxy.call..", "dev.llmproxy.proxy.auth..");

    @ArchTest
    static final ArchRule healthChecksShouldNotKnowCallsOrTheServer = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.health..")
            .should().dependOnClassesThat()
            .resideInAnyPackage("dev.llmproxy.proxy.server..", "dev.llmproxy.proxy.call..", "dev.llmproxy.proxy.auth..",
                    "dev.llmproxy.proxy.metrics..");

    @ArchTest
    static final ArchRule routingShouldNotKnowHealthChecks = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.route..")
            .should().dependOnClassesThat().resideInAPackage("dev.llmproxy.proxy.health..");

    @ArchTest
    static final ArchRule nothingButTheServerShouldUseTheServer = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy..")
            .and().resideOutsideOfPackage("dev.llmproxy.proxy.server..")
            .should().dependOnClassesThat().resideInAPackage("dev.llmproxy.proxy.server..");

    @ArchTest
    static final ArchRule tracingShouldNotKnowTheServerMetricsOrConfig = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.trace..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.llmproxy.proxy.server..",
                    "dev.llmproxy.proxy.metrics..", "dev.llmproxy.proxy.config..");

    @ArchTest
    static final ArchRule onlyTheServerShouldUseTracing = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy..")
            .and().resideOutsideOfPackages("dev.llmproxy.proxy.trace..", "dev.llmproxy.proxy.server..")
            .should().dependOnClassesThat().resideInAPackage("dev.llmproxy.proxy.trace..");

    /** The OpenTelemetry SDK stays behind the trace package, so that it can be swapped or dropped in one place. */
    @ArchTest
    static final ArchRule onlyTracingShouldUseOpenTelemetry = noClasses()
            .that().resideInAPackage("dev.llmproxy..")
            .and().resideOutsideOfPackage("dev.llmproxy.proxy.trace..")
            .should().dependOnClassesThat().resideInAPackage("io.opentelemetry..");

    @ArchTest
    static final ArchRule onlyKeysManagementAndSpendShouldUseTheStore = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy..")
            .and().resideOutsideOfPackages("dev.llmproxy.proxy.keys..", "dev.llmproxy.proxy.management..",
                    "dev.llmproxy.proxy.spend..")
            .should().dependOnClassesThat().resideInAPackage("dev.llmproxy.store..")
            .as("only keys, management and spend use the store");

    @ArchTest
    static final ArchRule keysShouldOnlyUseAuth = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.keys..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.llmproxy.proxy.server..",
                    "dev.llmproxy.proxy.call..", "dev.llmproxy.proxy.route..", "dev.llmproxy.proxy.management..",
                    "dev.llmproxy.proxy.spend..", "dev.llmproxy.proxy.provider..", "dev.llmproxy.proxy.upstream..");

    @ArchTest
    static final ArchRule managementShouldOnlyUseKeysAndAuth = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.management..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.llmproxy.proxy.call..",
                    "dev.llmproxy.proxy.route..", "dev.llmproxy.proxy.spend..", "dev.llmproxy.proxy.provider..",
                    "dev.llmproxy.proxy.upstream..");

    @ArchTest
    static final ArchRule filesShouldOnlyUseTheCallPathBelowIt = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.files..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.llmproxy.proxy.server..",
                    "dev.llmproxy.proxy.health..", "dev.llmproxy.proxy.keys..", "dev.llmproxy.proxy.management..",
                    "dev.llmproxy.proxy.spend..", "dev.llmproxy.proxy.metrics..", "dev.llmproxy.proxy.trace..",
                    "dev.llmproxy.proxy.messages..");

    @ArchTest
    static final ArchRule passThroughShouldOnlyUseTheCallPathBelowIt = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.passthrough..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.llmproxy.proxy.server..",
                    "dev.llmproxy.proxy.health..", "dev.llmproxy.proxy.keys..", "dev.llmproxy.proxy.management..",
                    "dev.llmproxy.proxy.spend..", "dev.llmproxy.proxy.metrics..", "dev.llmproxy.proxy.trace..",
                    "dev.llmproxy.proxy.messages..", "dev.llmproxy.proxy.files..");

    @ArchTest
    static final ArchRule spendShouldNotKnowKeysOrManagement = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.spend..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.llmproxy.proxy.keys..",
                    "dev.llmproxy.proxy.management..");

    /**
     * Limiter and store are leaf modules that proxy-core will depend on, so this classpath is where their classes
     * first appear. Until they exist the rule has nothing to check, which is allowed rather than an error.
     */
    @ArchTest
    static final ArchRule limiterAndStoreShouldNotDependOnProxyOrNetty = noClasses()
            .that().resideInAnyPackage("dev.llmproxy.limiter..", "dev.llmproxy.store..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.llmproxy.proxy..", "io.netty..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule noModuleShouldUseAnotherModulesInternals = ModuleRules.noModuleUsesAnotherModulesInternals();

    private static ArchRule dependsOnNoOtherProxyPackage(String name) {
        String own = "dev.llmproxy.proxy." + name + "..";
        return noClasses()
                .that().resideInAPackage(own)
                .should().dependOnClassesThat(resideInAPackage("dev.llmproxy.proxy..").and(not(resideInAPackage(own))))
                .as(name + " depends on no other proxy package");
    }
}
