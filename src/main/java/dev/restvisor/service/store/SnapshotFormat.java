package dev.restvisor.service.store;

import dev.restvisor.core.cpu.state.CpuState;
import dev.restvisor.core.cpu.state.DescriptorTable;
import dev.restvisor.core.cpu.state.Msrs;
import dev.restvisor.core.cpu.state.Segment;
import dev.restvisor.core.vm.GuestDebug;
import dev.restvisor.core.vm.VcpuState;
import dev.restvisor.core.vm.VmState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The state section of a snapshot, format version {@value #VERSION}:
 * <pre>
 *   "RVSNAPST"  u16 format version  u32 section count
 *   section*:   UTF name  u16 section version  u32 length  bytes
 *   u32 CRC32C of everything before it
 * </pre>
 * Sections of version 1: {@code clock} (clock nanos, instructions retired), {@code memory} (slot
 * layout, each slot full or a delta on the parent), {@code vcpu:N} (registers, MSRs, debug
 * registers, queued interrupts, shadow, halt, guest-debug setting) and {@code part:NAME} (a
 * stateful part's record, with its schema). A component that gains state adds a section or bumps
 * its own section version. A reader refuses any version or section it does not know, and says so,
 * rather than guess.
 */
final class SnapshotFormat {
    static final int VERSION = 1;
    private static final byte[] MAGIC = "RVSNAPST".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int SECTION_VERSION = 1;

    /** How one memory slot is held: every non-zero page, or the pages written since the parent. */
    enum SlotMode {
        FULL, DELTA
    }

    /** One slot of the memory layout. */
    record SlotLayout(int slot, int flags, long base, long size, SlotMode mode) {
    }

    /** A decoded state section. */
    record Decoded(VmState state, List<SlotLayout> layout) {
    }

    private SnapshotFormat() {
    }

    static byte[] encode(VmState state, List<SlotLayout> layout) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeShort(VERSION);
            out.writeInt(2 + state.vcpus().size() + state.parts().size());
            section(out, "clock", s -> {
                s.writeLong(state.clockNanos());
                s.writeLong(state.instructionsRetired());
            });
            section(out, "memory", s -> {
                s.writeInt(layout.size());
                for (SlotLayout l : layout) {
                    s.writeInt(l.slot());
                    s.writeInt(l.flags());
                    s.writeLong(l.base());
                    s.writeLong(l.size());
                    s.writeByte(l.mode().ordinal());
                }
            });
            for (VcpuState v : state.vcpus()) {
                section(out, "vcpu:" + v.id(), s -> writeVcpu(s, v));
            }
            for (Map.Entry<String, Record> p : state.parts().entrySet()) {
                section(out, "part:" + p.getKey(), s -> {
                    s.writeUTF(PartCodec.schema(p.getValue().getClass()));
                    PartCodec.write(s, p.getValue());
                });
            }
            out.flush();
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a state section.
     *
     * @param partTypes the state record type of each stateful part the target VM has, by name
     * @throws StoreException CORRUPT when the bytes fail their checksum or structure,
     *         UNSUPPORTED_FORMAT when they were written in a version this code does not read
     */
    static Decoded decode(String snapshotId, byte[] bytes, Map<String, Class<? extends Record>> partTypes) {
        if (bytes.length < MAGIC.length + 10 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw corrupt(snapshotId, "its state section does not start with the snapshot signature");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ((bytes[bytes.length - 4] & 0xff) << 24) | ((bytes[bytes.length - 3] & 0xff) << 16)
                | ((bytes[bytes.length - 2] & 0xff) << 8) | (bytes[bytes.length - 1] & 0xff);
        int version = ((bytes[MAGIC.length] & 0xff) << 8) | (bytes[MAGIC.length + 1] & 0xff);
        if (version != VERSION) {
            throw unsupported(snapshotId, "it was written in snapshot format version " + version
                    + " and this service reads only version " + VERSION);
        }
        if ((int) crc.getValue() != stored) {
            throw corrupt(snapshotId, "its state section fails its CRC32C checksum");
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, MAGIC.length + 2, bytes.length - MAGIC.length - 6));
            int sections = in.readInt();
            long clockNanos = 0;
            long retired = 0;
            List<SlotLayout> layout = null;
            List<VcpuState> vcpus = new ArrayList<>();
            Map<String, Record> parts = new LinkedHashMap<>();
            for (int i = 0; i < sections; i++) {
                String name = in.readUTF();
                int sectionVersion = in.readUnsignedShort();
                int length = in.readInt();
                if (length < 0 || length > in.available()) {
                    throw corrupt(snapshotId, "section " + name + " runs past the end of the state section");
                }
                if (sectionVersion != SECTION_VERSION) {
                    throw unsupported(snapshotId, "its " + name + " section has version " + sectionVersion
                            + " and this service reads only version " + SECTION_VERSION);
                }
                DataInputStream s = new DataInputStream(new ByteArrayInputStream(in.readNBytes(length)));
                if (name.equals("clock")) {
                    clockNanos = s.readLong();
                    retired = s.readLong();
                } else if (name.equals("memory")) {
                    layout = readLayout(s);
                } else if (name.startsWith("vcpu:")) {
                    vcpus.add(readVcpu(s));
                } else if (name.startsWith("part:")) {
                    String part = name.substring(5);
                    Class<? extends Record> type = partTypes.get(part);
                    if (type == null) {
                        throw unsupported(snapshotId, "it holds state of " + part + ", which this VM does not have");
                    }
                    String schema = s.readUTF();
                    if (!schema.equals(PartCodec.schema(type))) {
                        throw unsupported(snapshotId, "its state of " + part + " has the layout " + schema
                                + " and this service's has " + PartCodec.schema(type));
                    }
                    parts.put(part, PartCodec.read(s, type));
                } else {
                    throw unsupported(snapshotId, "it holds a section " + name + " that this service does not know");
                }
            }
            if (layout == null) {
                throw corrupt(snapshotId, "it has no memory section");
            }
            return new Decoded(new VmState(vcpus, clockNanos, retired, parts), layout);
        } catch (IOException e) {
            throw corrupt(snapshotId, "its state section is malformed (" + e.getMessage() + ")");
        }
    }

    private interface SectionWriter {
        void write(DataOutputStream out) throws IOException;
    }

    private static void section(DataOutputStream out, String name, SectionWriter body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream s = new DataOutputStream(bytes);
        body.write(s);
        s.flush();
        out.writeUTF(name);
        out.writeShort(SECTION_VERSION);
        out.writeInt(bytes.size());
        bytes.writeTo(out);
    }

    private static List<SlotLayout> readLayout(DataInputStream s) throws IOException {
        int n = s.readInt();
        if (n < 0 || n > 64) {
            throw new IOException("a memory layout of " + n + " slots");
        }
        List<SlotLayout> layout = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int slot = s.readInt();
            int flags = s.readInt();
            long base = s.readLong();
            long size = s.readLong();
            int mode = s.readUnsignedByte();
            if (mode >= SlotMode.values().length) {
                throw new IOException("memory slot mode " + mode);
            }
            layout.add(new SlotLayout(slot, flags, base, size, SlotMode.values()[mode]));
        }
        return layout;
    }

    private static void writeVcpu(DataOutputStream s, VcpuState v) throws IOException {
        CpuState c = v.registers();
        s.writeInt(v.id());
        for (long r : c.gpr) {
            s.writeLong(r);
        }
        s.writeLong(c.rip);
        s.writeLong(c.rflags);
        for (Segment seg : c.seg) {
            writeSegment(s, seg);
        }
        writeSegment(s, c.tr);
        writeSegment(s, c.ldt);
        s.writeLong(c.gdt.base());
        s.writeInt(c.gdt.limit());
        s.writeLong(c.idt.base());
        s.writeInt(c.idt.limit());
        for (long r : new long[] {c.cr0, c.cr2, c.cr3, c.cr4, c.cr8, c.efer, c.apicBase}) {
            s.writeLong(r);
        }
        for (long r : c.dr) {
            s.writeLong(r);
        }
        s.writeLong(c.dr6);
        s.writeLong(c.dr7);
        for (long w : c.interruptBitmap) {
            s.writeLong(w);
        }
        s.writeBoolean(c.interruptShadow);
        s.writeBoolean(c.halted);
        Msrs m = c.msrs;
        for (long r : new long[] {m.sysenterCs, m.sysenterEsp, m.sysenterEip, m.star, m.lstar, m.cstar, m.fmask,
                m.kernelGsBase, m.tscAux, m.pat, m.miscEnable, m.mtrrDefType, m.tscOffset}) {
            s.writeLong(r);
        }
        s.writeInt(m.mtrrVariable.length);
        for (long r : m.mtrrVariable) {
            s.writeLong(r);
        }
        s.writeInt(m.mtrrFixed.length);
        for (long r : m.mtrrFixed) {
            s.writeLong(r);
        }
        GuestDebug d = v.debug();
        s.writeBoolean(d.enabled());
        s.writeBoolean(d.singleStep());
        long[] bps = d.breakpoints();
        s.writeInt(bps.length);
        for (long b : bps) {
            s.writeLong(b);
        }
    }

    private static VcpuState readVcpu(DataInputStream s) throws IOException {
        CpuState c = new CpuState();
        int id = s.readInt();
        for (int i = 0; i < c.gpr.length; i++) {
            c.gpr[i] = s.readLong();
        }
        c.rip = s.readLong();
        c.rflags = s.readLong();
        for (int i = 0; i < c.seg.length; i++) {
            c.seg[i] = readSegment(s);
        }
        c.tr = readSegment(s);
        c.ldt = readSegment(s);
        c.gdt = new DescriptorTable(s.readLong(), s.readInt());
        c.idt = new DescriptorTable(s.readLong(), s.readInt());
        c.cr0 = s.readLong();
        c.cr2 = s.readLong();
        c.cr3 = s.readLong();
        c.cr4 = s.readLong();
        c.cr8 = s.readLong();
        c.efer = s.readLong();
        c.apicBase = s.readLong();
        for (int i = 0; i < c.dr.length; i++) {
            c.dr[i] = s.readLong();
        }
        c.dr6 = s.readLong();
        c.dr7 = s.readLong();
        for (int i = 0; i < c.interruptBitmap.length; i++) {
            c.interruptBitmap[i] = s.readLong();
        }
        c.interruptShadow = s.readBoolean();
        c.halted = s.readBoolean();
        Msrs m = c.msrs;
        m.sysenterCs = s.readLong();
        m.sysenterEsp = s.readLong();
        m.sysenterEip = s.readLong();
        m.star = s.readLong();
        m.lstar = s.readLong();
        m.cstar = s.readLong();
        m.fmask = s.readLong();
        m.kernelGsBase = s.readLong();
        m.tscAux = s.readLong();
        m.pat = s.readLong();
        m.miscEnable = s.readLong();
        m.mtrrDefType = s.readLong();
        m.tscOffset = s.readLong();
        readInto(s, m.mtrrVariable);
        readInto(s, m.mtrrFixed);
        boolean enabled = s.readBoolean();
        boolean singleStep = s.readBoolean();
        int n = s.readInt();
        if (n < 0 || n > GuestDebug.MAX_BREAKPOINTS) {
            throw new IOException(n + " breakpoints");
        }
        long[] bps = new long[n];
        for (int i = 0; i < n; i++) {
            bps[i] = s.readLong();
        }
        return new VcpuState(id, c, new GuestDebug(enabled, singleStep, bps));
    }

    private static void readInto(DataInputStream s, long[] dst) throws IOException {
        int n = s.readInt();
        if (n != dst.length) {
            throw new IOException("an MSR array of " + n + " entries where " + dst.length + " are expected");
        }
        for (int i = 0; i < n; i++) {
            dst[i] = s.readLong();
        }
    }

    private static void writeSegment(DataOutputStream s, Segment g) throws IOException {
        s.writeInt(g.selector());
        s.writeLong(g.base());
        for (int v : new int[] {g.limit(), g.type(), g.present(), g.dpl(), g.db(), g.s(), g.l(), g.g(), g.avl(), g.unusable()}) {
            s.writeInt(v);
        }
    }

    private static Segment readSegment(DataInputStream s) throws IOException {
        int selector = s.readInt();
        long base = s.readLong();
        return new Segment(selector, base, s.readInt(), s.readInt(), s.readInt(), s.readInt(), s.readInt(), s.readInt(),
                s.readInt(), s.readInt(), s.readInt(), s.readInt());
    }

    static StoreException corrupt(String snapshotId, String why) {
        return new StoreException(StoreException.Kind.CORRUPT, null, "snapshot " + snapshotId + " is corrupt: " + why);
    }

    static StoreException unsupported(String snapshotId, String why) {
        return new StoreException(StoreException.Kind.UNSUPPORTED_FORMAT, null,
                "snapshot " + snapshotId + " cannot be read: " + why);
    }
}
