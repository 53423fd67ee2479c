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
 * <p>The rules are generic on purpose: they hold for any split of proxy-core into feature packages. The intended
 * arrows (server → call → {provider, route, upstream, auth, config}, route → {provider, upstream, config},
 * provider → {config, codec}, upstream → config) are for specific rules to add once the packages settle.
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
    static final ArchRule configShouldDependOnNoOtherProxyPackage = noClasses()
            .that().resideInAPackage("dev.llmproxy.proxy.config..")
            .should().dependOnClassesThat(resideInAPackage("dev.llmproxy.proxy..")
                    .and(not(resideInAPackage("dev.llmproxy.proxy.config.."))));

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
}
