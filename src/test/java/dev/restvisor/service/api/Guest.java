package dev.restvisor.service.api;

import java.io.ByteArrayOutputStream;

/** Hand-assembled guest code: each call appends one instruction's bytes, written as in the SDM encoding. */
final class Guest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Appends one instruction; the comment beside each call is its assembly. */
    Guest op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
