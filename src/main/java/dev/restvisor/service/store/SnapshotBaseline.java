package dev.restvisor.service.store;

import dev.restvisor.core.memory.DirtyBitmap;
import dev.restvisor.core.memory.GuestMemory;
import dev.restvisor.core.memory.MemorySlot;
import java.util.HashMap;
import java.util.Map;

/**
 * What a live VM's memory equals: the snapshot last taken or restored, and the change log of each
 * slot that was cleared at that moment. A diff snapshot on that parent stores the pages those logs
 * show; a slot whose change log is another (the slot was deleted and created again) is stored whole.
 */
public record SnapshotBaseline(String snapshotId, Map<Integer, DirtyBitmap> changeLogs) {

    public SnapshotBaseline {
        changeLogs = Map.copyOf(changeLogs);
    }

    static SnapshotBaseline of(String snapshotId, GuestMemory memory) {
        Map<Integer, DirtyBitmap> logs = new HashMap<>();
        for (MemorySlot s : memory.slots()) {
            logs.put(s.slot(), s.changeLog());
        }
        return new SnapshotBaseline(snapshotId, logs);
    }

    boolean tracks(MemorySlot slot) {
        return changeLogs.get(slot.slot()) == slot.changeLog();
    }
}
