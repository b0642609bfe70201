package dev.restvisor.core.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Dispatch of port I/O and MMIO accesses to the devices that claim them. Claims may not overlap.
 * An access nobody claims is reported as unclaimed ({@link #portDevice} / {@link #mmioDevice}
 * return null) so the caller can turn it into an exit or, when the service drives the VM, read
 * all ones and drop writes.
 */
public final class IoBus {
    /** One claimed range. */
    public record Range<D>(long base, long length, D device, String name) {
        boolean contains(long address) {
            return address - base >= 0 && address - base < length;
        }
    }

    private final PortIoDevice[] ports = new PortIoDevice[0x10000];
    private final int[] portBase = new int[0x10000];
    private final List<Range<PortIoDevice>> portRanges = new ArrayList<>();
    private volatile List<Range<MmioDevice>> mmioRanges = List.of();

    /** Claims ports {@code base .. base+length-1}. */
    public synchronized void claimPorts(int base, int length, PortIoDevice device, String name) {
        if (base < 0 || length <= 0 || base + length > 0x10000) {
            throw new IllegalArgumentException(String.format("%s: port range 0x%x+%d is outside 0-0xffff", name, base, length));
        }
        for (int p = base; p < base + length; p++) {
            if (ports[p] != null) {
                throw new IllegalArgumentException(String.format("%s: port 0x%x is already claimed by %s", name, p, portOwner(p)));
            }
        }
        for (int p = base; p < base + length; p++) {
            ports[p] = device;
            portBase[p] = base;
        }
        portRanges.add(new Range<>(base, length, device, name));
    }

    /** Claims guest physical addresses {@code base .. base+length-1}. */
    public synchronized void claimMmio(long base, long length, MmioDevice device, String name) {
        for (Range<MmioDevice> r : mmioRanges) {
            if (base < r.base() + r.length() && r.base() < base + length) {
                throw new IllegalArgumentException(String.format("%s: MMIO 0x%x+0x%x overlaps %s", name, base, length, r.name()));
            }
        }
        List<Range<MmioDevice>> next = new ArrayList<>(mmioRanges);
        next.add(new Range<>(base, length, device, name));
        mmioRanges = List.copyOf(next);
    }

    /** The device claiming {@code port}, or null when unclaimed. */
    public PortIoDevice portDevice(int port) {
        return ports[port & 0xffff];
    }

    /** Reads from a claimed port; only call after {@link #portDevice} returned non-null. */
    public int readPort(int port, int size) {
        port &= 0xffff;
        return ports[port].read(port - portBase[port], size);
    }

    public void writePort(int port, int size, int value) {
        port &= 0xffff;
        ports[port].write(port - portBase[port], size, value);
    }

    /** The MMIO range claiming {@code gpa}, or null when unclaimed. */
    public Range<MmioDevice> mmioDevice(long gpa) {
        for (Range<MmioDevice> r : mmioRanges) {
            if (r.contains(gpa)) {
                return r;
            }
        }
        return null;
    }

    public synchronized List<Range<PortIoDevice>> portRanges() {
        return List.copyOf(portRanges);
    }

    public List<Range<MmioDevice>> mmioRanges() {
        return mmioRanges;
    }

    private String portOwner(int port) {
        for (Range<PortIoDevice> r : portRanges) {
            if (r.contains(port)) {
                return r.name();
            }
        }
        return "?";
    }
}
