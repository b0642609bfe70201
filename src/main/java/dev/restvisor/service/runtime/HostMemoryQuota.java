package dev.restvisor.service.runtime;

import dev.restvisor.core.memory.MemoryQuota;
import dev.restvisor.core.memory.MemoryRegionException;

/** Guest RAM accounting: a per-VM quota that also draws on the service-wide total. */
final class HostMemoryQuota {
    private final long total;
    private long used;

    HostMemoryQuota(long total) {
        this.total = total;
    }

    synchronized void reserve(long bytes) {
        if (used + bytes > total) {
            throw new MemoryRegionException(MemoryRegionException.Kind.QUOTA, "memory_size",
                    String.format("the service-wide guest memory limit of %d MiB would be exceeded (%d MiB in use)",
                            total >> 20, used >> 20));
        }
        used += bytes;
    }

    synchronized void release(long bytes) {
        used -= bytes;
    }

    synchronized long used() {
        return used;
    }

    /** A quota for one VM with its own limit, drawing on this total. */
    MemoryQuota forVm(long vmLimit) {
        return new MemoryQuota() {
            private long vmUsed;

            @Override
            public synchronized void reserve(long bytes) {
                if (vmUsed + bytes > vmLimit) {
                    throw new MemoryRegionException(MemoryRegionException.Kind.QUOTA, "memory_size",
                            String.format("the per-VM guest memory limit of %d MiB would be exceeded (%d MiB in use)",
                                    vmLimit >> 20, vmUsed >> 20));
                }
                HostMemoryQuota.this.reserve(bytes);
                vmUsed += bytes;
            }

            @Override
            public synchronized void release(long bytes) {
                vmUsed -= bytes;
                HostMemoryQuota.this.release(bytes);
            }
        };
    }
}
