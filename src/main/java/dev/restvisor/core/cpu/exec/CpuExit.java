package dev.restvisor.core.cpu.exec;

/**
 * The out-fields of one exit, reused from run to run so that running allocates nothing. Only the
 * fields belonging to {@link #reason} are meaningful.
 */
public final class CpuExit {
    public ExitReason reason;
    /** Length of the instruction that caused the exit, 0 when not applicable. */
    public int instructionLength;

    // KVM_EXIT_IO
    public boolean ioIn;
    public int ioPort;
    /** Access size in bytes: 1, 2 or 4. */
    public int ioSize;
    /** Number of elements; more than 1 only for string I/O. */
    public int ioCount;
    public boolean ioString;
    public boolean ioRep;
    /** String I/O ran with DF = 1 (addresses decrementing). */
    public boolean ioStringDown;
    /** For OUT: the {@code ioCount * ioSize} bytes written, little-endian. Unused for IN. */
    public byte[] ioData = new byte[0];
    /** Guest linear address of the string I/O buffer (first element). */
    public long ioAddress;

    // KVM_EXIT_MMIO
    public long mmioPhysAddr;
    public int mmioLen;
    public boolean mmioWrite;
    /** For a write: the bytes written. */
    public final byte[] mmioData = new byte[8];

    // KVM_EXIT_EXCEPTION
    public int exceptionVector;
    public int exceptionErrorCode;

    // KVM_EXIT_DEBUG
    /** 1 for #DB (single-step, hardware breakpoint), 3 for #BP. */
    public int debugException;
    public long debugPc;
    /** The DR6 value of the debug event. */
    public long debugDr6;

    // KVM_EXIT_CPUID
    public int cpuidFunction;
    public int cpuidIndex;

    // KVM_EXIT_FAIL_ENTRY
    /** Human-readable reason the state could not be entered. */
    public String failEntryReason;
}
