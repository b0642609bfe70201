package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.state.CpuState;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a test: guest instructions retired per second for a small 64-bit integer loop
 * (register ALU, a store, a conditional branch). Runs only with -Dbenchmark=true and prints its figure.
 */
class InterpreterSpeedBenchmark {
    @Test
    void integerLoop64() {
        Assumptions.assumeTrue(Boolean.getBoolean("benchmark"), "run with -Dbenchmark=true");
        LongModeMachine machine = new LongModeMachine();
        // l: add rax,rcx; xor rdx,rax; mov [rbx],rdx; dec rcx; jnz l; hlt
        int[] code = {0x48, 0x01, 0xc8, 0x48, 0x31, 0xc2, 0x48, 0x89, 0x13, 0x48, 0xff, 0xc9, 0x75, 0xf2, 0xf4};
        for (int i = 0; i < code.length; i++) {
            machine.ram.write8(0x10000 + i, code[i]);
        }
        CpuState s = machine.s;
        machine.enterLongMode(0, 0);
        Cpu cpu = machine.cpu;
        cpu.stateChanged();
        for (int round = 0; round < 3; round++) {
            s.rip = 0x10000;
            s.gpr[1] = 20_000_000;
            s.gpr[3] = 0x20000;
            s.halted = false;
            long before = cpu.instructionsRetired();
            long t0 = System.nanoTime();
            CpuExit e = cpu.run(Long.MAX_VALUE);
            long ns = System.nanoTime() - t0;
            long n = cpu.instructionsRetired() - before;
            System.out.printf("integerLoop64 round %d: %s after %,d instructions, %.1f M instructions/s%n", round,
                    e.reason, n, n * 1e3 / ns);
        }
    }
}
