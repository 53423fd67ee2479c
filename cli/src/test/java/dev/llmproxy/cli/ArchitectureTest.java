package dev.llmproxy.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.llmproxy.codec.testing.ModuleRules;

/**
 * The cli sits at the top of the module graph (STYLE.md section 1): nothing else depends on it. Its test classpath
 * sees proxy-core, codec and bench, so this checks their main classes and the test classes it can see.
 */
@AnalyzeClasses(packages = "dev.llmproxy")
final class ArchitectureTest {

    @ArchTest
    static final ArchRule nothingOutsideCliShouldDependOnCli = noClasses()
            .that().resideOutsideOfPackage("dev.llmproxy.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.llmproxy.cli..");

    @ArchTest
    static final ArchRule noModuleShouldUseAnotherModulesInternals = ModuleRules.noModuleUsesAnotherModulesInternals();
}
