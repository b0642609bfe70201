package dev.restvisor.service.runtime;

import java.time.Instant;
import java.util.List;

/**
 * Where VM definitions outlive the process. The registry saves a definition when a VM is created
 * or its definition changes, forgets it when the VM is deleted, and at startup lists every VM again.
 */
public interface VmDefinitions {

    /** A definition read back at startup. */
    record Stored(String id, VmSpec spec, Instant createdAt) {
    }

    void save(String id, VmSpec spec, Instant createdAt);

    void delete(String id);

    List<Stored> all();
}
