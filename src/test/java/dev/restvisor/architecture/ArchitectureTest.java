package dev.restvisor.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of ARCHITECTURE.md: data flows one way (api/console → runtime → core), core
 * never calls upward, and core uses nothing but the JDK.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.restvisor");
    }

    private static void check(ArchRule rule) {
        rule.allowEmptyShould(true).check(classes);
    }

    @Test
    void coreUsesOnlyTheJdk() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core..").and().resideOutsideOfPackage("dev.restvisor.core.boot..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.restvisor.core..", "java..")
                .because("core is pure Java: no Spring, Jackson, JDBC or service code"));
    }

    /** The one library in core: XZ for Java (pure Java, no dependencies) unpacks bzImage payloads in core.boot. */
    @Test
    void bootLoadersUseOnlyTheJdkAndXz() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core.boot..")
                .should().dependOnClassesThat().resideOutsideOfPackages("dev.restvisor.core..", "java..", "org.tukaani.xz..")
                .because("core is pure Java; Debian's kernels are xz-compressed, which the JDK cannot unpack"));
    }

    @Test
    void coreNeverCallsUpward() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core..")
                .should().dependOnClassesThat().resideInAPackage("dev.restvisor.service.."));
    }

    @Test
    void memoryAndIoAreLeaves() {
        check(noClasses().that().resideInAnyPackage("dev.restvisor.core.memory..", "dev.restvisor.core.io..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.core.cpu..", "dev.restvisor.core.vm..",
                        "dev.restvisor.core.devices..", "dev.restvisor.core.boot.."));
        check(noClasses().that().resideInAPackage("dev.restvisor.core.memory..")
                .should().dependOnClassesThat().resideInAPackage("dev.restvisor.core.io.."));
        check(noClasses().that().resideInAPackage("dev.restvisor.core.io..")
                .should().dependOnClassesThat().resideInAPackage("dev.restvisor.core.memory.."));
    }

    @Test
    void cpuStateIsPureData() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core.cpu.state..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.core.cpu.decode..", "dev.restvisor.core.cpu.mmu..",
                        "dev.restvisor.core.cpu.exec..", "dev.restvisor.core.cpu.fpu..", "dev.restvisor.core.cpu.jit..",
                        "dev.restvisor.core.memory..", "dev.restvisor.core.io..", "dev.restvisor.core.vm..",
                        "dev.restvisor.core.devices..", "dev.restvisor.core.boot.."));
    }

    @Test
    void decoderDependsOnlyOnState() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core.cpu.decode..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.core.cpu.mmu..", "dev.restvisor.core.cpu.exec..",
                        "dev.restvisor.core.cpu.fpu..", "dev.restvisor.core.cpu.jit..", "dev.restvisor.core.memory..",
                        "dev.restvisor.core.io..", "dev.restvisor.core.vm..", "dev.restvisor.core.devices..", "dev.restvisor.core.boot.."));
    }

    @Test
    void mmuDependsOnStateAndMemory() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core.cpu.mmu..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.core.cpu.decode..", "dev.restvisor.core.cpu.exec..",
                        "dev.restvisor.core.cpu.fpu..", "dev.restvisor.core.cpu.jit..", "dev.restvisor.core.io..",
                        "dev.restvisor.core.vm..", "dev.restvisor.core.devices..", "dev.restvisor.core.boot.."));
    }

    @Test
    void fpuDependsOnlyOnState() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core.cpu.fpu..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.core.cpu.decode..", "dev.restvisor.core.cpu.mmu..",
                        "dev.restvisor.core.cpu.exec..", "dev.restvisor.core.cpu.jit..", "dev.restvisor.core.memory..",
                        "dev.restvisor.core.io..", "dev.restvisor.core.vm..", "dev.restvisor.core.devices..", "dev.restvisor.core.boot.."));
    }

    /** The block compiler works on the cpu's own types: decoded instructions, the interpreter, lazy flags. */
    @Test
    void blockCompilerDependsOnlyOnTheCpu() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core.cpu.jit..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.core.memory..", "dev.restvisor.core.io..",
                        "dev.restvisor.core.vm..", "dev.restvisor.core.devices..", "dev.restvisor.core.boot.."));
    }

    @Test
    void cpuDoesNotKnowVmDevicesOrBoot() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core.cpu..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.core.vm..", "dev.restvisor.core.devices..",
                        "dev.restvisor.core.boot.."));
    }

    @Test
    void devicesSeeOnlyTheIoBus() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core.devices..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.core.cpu..", "dev.restvisor.core.memory..",
                        "dev.restvisor.core.vm..", "dev.restvisor.core.boot.."));
    }

    @Test
    void bootLoadersWriteMemoryAndState() {
        check(noClasses().that().resideInAPackage("dev.restvisor.core.boot..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.core.cpu.decode..", "dev.restvisor.core.cpu.mmu..",
                        "dev.restvisor.core.cpu.exec..", "dev.restvisor.core.cpu.fpu..", "dev.restvisor.core.cpu.jit..",
                        "dev.restvisor.core.io..", "dev.restvisor.core.vm..", "dev.restvisor.core.devices.."));
    }

    @Test
    void runtimeCallsOnlyDown() {
        check(noClasses().that().resideInAPackage("dev.restvisor.service.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.service.api..", "dev.restvisor.service.console.."));
    }

    /**
     * The API reaches the core only through runtime and the value types runtime hands back (VM,
     * vcpu, state records, memory slots, translations), never the engine: no decoder, executor,
     * MMU engine, device or loader.
     */
    @Test
    void apiUsesRuntimeAndCoreValuesOnly() {
        check(noClasses().that().resideInAnyPackage("dev.restvisor.service.api..", "dev.restvisor.service.console..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.core.cpu.decode..", "dev.restvisor.core.cpu.exec..",
                        "dev.restvisor.core.cpu.fpu..", "dev.restvisor.core.cpu.jit..", "dev.restvisor.core.io..",
                        "dev.restvisor.core.devices..", "dev.restvisor.core.boot..", "dev.restvisor.service.store.."));
        check(noClasses().that().resideInAPackage("dev.restvisor.service.api..")
                .should().dependOnClassesThat().resideInAPackage("dev.restvisor.service.console.."));
    }

    @Test
    void storeHoldsStateNotEngines() {
        check(noClasses().that().resideInAPackage("dev.restvisor.service.store..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.restvisor.service.api..", "dev.restvisor.service.console..",
                        "dev.restvisor.service.runtime..", "dev.restvisor.core.cpu.decode..", "dev.restvisor.core.cpu.exec..",
                        "dev.restvisor.core.cpu.jit.."));
    }
}
