package dev.llmproxy.store;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The store's place in the module graph (STYLE.md section 1), checked on its main classes: no Netty, no other module
 * of ours, and the API package reaches the JDBI implementation only through {@link Stores}.
 */
@AnalyzeClasses(packages = "dev.llmproxy.store", importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTest {

    @ArchTest
    static final ArchRule storeShouldNotUseNetty = noClasses()
            .that().resideInAPackage("dev.llmproxy.store..")
            .should().dependOnClassesThat().resideInAPackage("io.netty..");

    @ArchTest
    static final ArchRule storeShouldDependOnNoOtherModuleOfOurs = noClasses()
            .that().resideInAPackage("dev.llmproxy.store..")
            .should().dependOnClassesThat(resideInAPackage("dev.llmproxy..")
                    .and(not(resideInAPackage("dev.llmproxy.store.."))));

    @ArchTest
    static final ArchRule apiShouldReachTheImplementationOnlyThroughStores = noClasses()
            .that().resideInAPackage("dev.llmproxy.store")
            .and(not(type(Stores.class)))
            .should().dependOnClassesThat().resideInAPackage("dev.llmproxy.store.jdbi..");
}
