package dev.restvisor.service.console;

import org.springframework.web.socket.CloseStatus;

/** The close status both streams of a VM end with when the VM is deleted. */
final class StreamClose {
    /** The close code for a stream whose VM was deleted (private-use range of RFC 6455; 404 as in HTTP). */
    static final int VM_DELETED = 4404;

    private StreamClose() {
    }

    static CloseStatus vmDeleted(String vmId) {
        return new CloseStatus(VM_DELETED, "VM " + vmId + " was deleted");
    }
}
