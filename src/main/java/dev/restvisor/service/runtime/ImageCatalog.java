package dev.restvisor.service.runtime;

import dev.restvisor.core.vm.VmError;
import dev.restvisor.service.store.ImageStore;
import dev.restvisor.service.store.StoreException;
import java.io.InputStream;
import java.util.List;
import org.springframework.stereotype.Service;

/** Uploaded images: what boot sources load, kept in the catalog and de-duplicated by SHA-256. */
@Service
public class ImageCatalog implements ImageLibrary {

    /** The outcome of an upload: the image, and whether this upload stored it (false: same bytes were already there). */
    public record Upload(ImageInfo image, boolean created) {
    }

    private final ImageStore store;

    public ImageCatalog(ImageStore store) {
        this.store = store;
    }

    public Upload upload(String name, InputStream content) {
        try {
            ImageStore.Upload u = store.put(name, content);
            return new Upload(info(u.image()), u.created());
        } catch (StoreException e) {
            throw CatalogError.of(e);
        }
    }

    public List<ImageInfo> list() {
        return store.list().stream().map(ImageCatalog::info).toList();
    }

    public ImageInfo get(String id) {
        try {
            return info(store.get(id));
        } catch (StoreException e) {
            throw CatalogError.of(e);
        }
    }

    /** Deletes an image; IN_USE while a VM definition names it. */
    public void delete(String id) {
        try {
            store.delete(id);
        } catch (StoreException e) {
            throw CatalogError.of(e);
        }
    }

    @Override
    public byte[] bytes(String imageId) {
        try {
            return store.content(imageId);
        } catch (StoreException e) {
            throw new VmError(VmError.Errno.ENOENT, "image", e.getMessage());
        }
    }

    @Override
    public boolean exists(String imageId) {
        try {
            store.get(imageId);
            return true;
        } catch (StoreException e) {
            return false;
        }
    }

    private static ImageInfo info(ImageStore.ImageRow r) {
        return new ImageInfo(r.id(), r.name(), r.sha256(), r.size(), r.createdAt());
    }
}
