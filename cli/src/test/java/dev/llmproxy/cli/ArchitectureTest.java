package dev.llmproxy.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.llmproxy.codec.testing.ModuleRules;

/**
 * The cli sits at the top of the module graph (STYLE.md section 1): nothing else depends on it, and it wires the
 * proxy without the bench, which only its tests use. Its test classpath sees the main classes of proxy-core, codec
 * and bench, so that is what this checks.
 */
@AnalyzeClasses(packages = "dev.llmproxy", importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTest {

    @ArchTest
    static final ArchRule nothingOutsideCliShouldDependOnCli = noClasses()
            .that().resideOutsideOfPackage("dev.llmproxy.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.llmproxy.cli..");

    @ArchTest
    static final ArchRule cliShouldNotDependOnBench = noClasses()
            .that().resideInAPackage("dev.llmproxy.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.llmproxy.bench..");

    @ArchTest
    static final ArchRule noModuleShouldUseAnotherModulesInternals = ModuleRules.noModuleUsesAnotherModulesInternals();
}
