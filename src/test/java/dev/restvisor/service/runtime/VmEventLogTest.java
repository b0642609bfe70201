package dev.restvisor.service.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VmEventLogTest {

    @Test
    void sequenceNumbersCountUpByOne() {
        VmEventLog log = new VmEventLog();
        for (int i = 0; i < 5; i++) {
            log.publish("counters", -1, Map.of("i", i));
        }
        List<VmEvent> all = log.since(0);
        assertEquals(5, all.size());
        for (int i = 1; i < all.size(); i++) {
            assertEquals(all.get(i - 1).seq() + 1, all.get(i).seq());
        }
    }

    /** A client that resumes with the last seq of the previous service gets every event of the next one. */
    @Test
    void aResumeFromBeforeARestartGetsEveryEventOfTheNewLog() throws InterruptedException {
        VmEventLog before = new VmEventLog();
        for (int i = 0; i < 1000; i++) {
            before.publish("exit", 0, Map.of());
        }
        long lastSeen = before.since(0).getLast().seq();
        Thread.sleep(2); // a restart takes far longer than this
        VmEventLog after = new VmEventLog();
        after.publish("lifecycle", -1, Map.of("state", "stopped"));
        List<VmEvent> received = new ArrayList<>();
        after.subscribe(lastSeen, received::add);
        after.publish("lifecycle", -1, Map.of("state", "running"));
        assertEquals(2, received.size());
        assertTrue(received.getFirst().seq() > lastSeen);
        assertEquals(List.of("stopped", "running"), received.stream().map(e -> e.data().get("state")).toList());
    }
}
