package dev.restvisor.core.cpu.exec;

import dev.restvisor.core.cpu.mmu.TableMemory;

/**
 * The reads of physical memory no slot or device backs that the current instruction made, each answered by the
 * VM client (KVM_EXIT_MMIO, completed by the next run's mmio data). A read with no answer yet stops the
 * instruction with the exit; it runs again from its start once the answer is given. An instruction may need
 * several such reads: a page walk through tables outside RAM and then its operand, CMPS of two MMIO operands,
 * IRET or POPA from an MMIO stack, the delivery of its fault through an IDT, GDT or stack mapped by such tables.
 * The answers are kept until the instruction retires or its fault has been delivered, and its runs again are
 * answered from them in order, so each run gets one read further and no read is asked twice. The client's data
 * answers the read its exit asked for; a run that reads elsewhere first (its registers were changed) asks anew.
 *
 * <p>A repeated string instruction retires its answers with each iteration, as it commits its registers.
 *
 * <p>It is also the vcpu's {@link TableMemory}: a page walk reads its entries like any other physical read, and
 * writes an accessed or dirty flag into an entry outside RAM as an MMIO write exit that ends the run at once
 * (the instruction runs again, as after a read exit). The kept answer of that entry takes the new value, so the
 * walk that runs again finds the flag set and does not write it twice.
 */
final class MmioReads implements TableMemory {
    private final Interpreter x;
    private long[] address = new long[8];
    private int[] size = new int[8];
    private long[] value = new long[8];
    /** Kept answers. */
    private int count;
    /** The next kept answer the running instruction will ask for. */
    private int next;
    /** The client's data for the read the last exit asked for ({@link #asked}), until that read takes it. */
    private byte[] completion;
    private long asked;
    private int askedLength;

    MmioReads(Interpreter x) {
        this.x = x;
    }

    /** A read of unbacked physical memory: the kept or just-supplied answer, or else an MMIO exit. */
    long read(long pa, int len) {
        if (next < count) {
            if (address[next] == pa && size[next] == len) {
                return value[next++];
            }
            // the run took another path (a translation it walked for is cached now, or its registers were changed
            // between runs): the later answers are stale
            count = next;
        }
        if (completion == null || pa != asked || len != askedLength) {
            completion = null;
            asked = pa;
            askedLength = len;
            CpuExit exit = x.exit;
            exit.reason = ExitReason.MMIO;
            exit.mmioPhysAddr = pa;
            exit.mmioLen = len;
            exit.mmioWrite = false;
            throw ExitSignal.INSTANCE;
        }
        long v = 0;
        for (int i = 0; i < len && i < completion.length; i++) {
            v |= (completion[i] & 0xffL) << (8 * i);
        }
        completion = null;
        keep(pa, len, v);
        next = count;
        return v;
    }

    /** Supplies the data of the read the last exit asked for. */
    void complete(byte[] data) {
        completion = data.clone();
    }

    /** No answer is kept or waiting: the next instruction starts afresh. */
    boolean idle() {
        return count == 0 && completion == null;
    }

    /** The instruction stopped for an exit and runs again from its start. */
    void rewind() {
        next = 0;
    }

    /** The instruction (or one iteration of a repeated string instruction) retired or faulted. */
    void retire() {
        count = 0;
        next = 0;
        if (completion != null) {
            completion = null;
        }
    }

    @Override
    public long readEntry(long pa, int width) {
        return x.readPhys(pa, width);
    }

    @Override
    public void writeEntry(long pa, int width, long entry) {
        x.writePhys(pa, width, entry);
        if (x.io.mmioDevice(pa) == null) {
            // the write became an exit
            for (int i = 0; i < count; i++) {
                if (address[i] == pa) {
                    value[i] = entry;
                }
            }
            throw ExitSignal.INSTANCE;
        }
    }

    private void keep(long pa, int len, long v) {
        if (count == address.length) {
            address = java.util.Arrays.copyOf(address, 2 * count);
            size = java.util.Arrays.copyOf(size, 2 * count);
            value = java.util.Arrays.copyOf(value, 2 * count);
        }
        address[count] = pa;
        size[count] = len;
        value[count++] = v;
    }
}
