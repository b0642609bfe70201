package dev.restvisor.core.vm;

/** The reason a KVM_RUN returned, with the kvm_run member that belongs to it. */
public sealed interface VcpuExit {

    /** KVM_EXIT_IO. {@code data} holds count*size bytes: OUT data, or empty for IN. */
    record Io(boolean in, int size, int port, int count, boolean string, boolean stringDown, boolean rep,
              long address, byte[] data) implements VcpuExit {
        /** The OUT value of a non-string access, little-endian from {@code data}. */
        public long value() {
            long v = 0;
            for (int i = Math.min(size, data.length) - 1; i >= 0; i--) {
                v = (v << 8) | (data[i] & 0xff);
            }
            return v;
        }
    }

    /** KVM_EXIT_MMIO. {@code data} holds the written bytes, or is zero-filled for a read. */
    record Mmio(long physAddr, int len, boolean isWrite, byte[] data) implements VcpuExit {
    }

    /** KVM_EXIT_HLT. */
    record Hlt() implements VcpuExit {
    }

    /** KVM_EXIT_SHUTDOWN: triple fault. */
    record Shutdown() implements VcpuExit {
    }

    /** KVM_EXIT_DEBUG: {@code exception} 1 (#DB) or 3 (#BP), {@code pc} the RIP it stopped at. */
    record Debug(int exception, long pc, long dr6) implements VcpuExit {
    }

    /** KVM_EXIT_EXCEPTION. */
    record Exception(int exception, int errorCode) implements VcpuExit {
    }

    /** KVM_EXIT_CPUID, answered by the client through regs before the next run. */
    record Cpuid(int function, int index) implements VcpuExit {
    }

    /** KVM_EXIT_IRQ_WINDOW_OPEN. */
    record IrqWindowOpen() implements VcpuExit {
    }

    /** KVM_EXIT_INTR: budget reached, paused or cancelled. */
    record Intr() implements VcpuExit {
    }

    /** KVM_EXIT_FAIL_ENTRY: the register state cannot be entered; {@code reason} says which check failed. */
    record FailEntry(long hardwareEntryFailureReason, String reason) implements VcpuExit {
    }
}
