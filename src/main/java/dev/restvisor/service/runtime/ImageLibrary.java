package dev.restvisor.service.runtime;

/** Uploaded images by id, as boot sources read them. */
public interface ImageLibrary {

    /** The bytes of an image; ENOENT (a VmError) when there is none with this id. */
    byte[] bytes(String imageId);

    /** Whether an image with this id exists. */
    boolean exists(String imageId);
}
