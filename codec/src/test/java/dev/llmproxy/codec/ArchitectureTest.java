package dev.llmproxy.codec;

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
 * The codec's place at the bottom of the module graph (STYLE.md section 1), checked on its main classes: it depends on
 * no other module of ours, and its packages form no cycle. Other modules check that they leave
 * {@code dev.llmproxy.codec.internal} alone with {@link ModuleRules#noModuleUsesAnotherModulesInternals()}.
 */
@AnalyzeClasses(packages = "dev.llmproxy", importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTest {

    @ArchTest
    static final ArchRule codecShouldDependOnNoOtherModuleOfOurs = noClasses()
            .that().resideInAPackage("dev.llmproxy.codec..")
            .should().dependOnClassesThat(resideInAPackage("dev.llmproxy..")
                    .and(not(resideInAPackage("dev.llmproxy.codec.."))));

    @ArchTest
    static final ArchRule codecPackagesShouldBeFreeOfCycles = slices()
            .matching("dev.llmproxy.codec.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noModuleShouldUseAnotherModulesInternals = ModuleRules.noModuleUsesAnotherModulesInternals();
}
