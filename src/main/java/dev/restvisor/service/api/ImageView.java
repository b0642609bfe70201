package dev.restvisor.service.api;

import dev.restvisor.service.runtime.ImageInfo;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** An uploaded image. */
@Schema(description = "An uploaded image (kernel, initrd or flat binary), identified by the SHA-256 of its bytes.")
public record ImageView(
        @Schema(description = "The image's id (a UUID); boot sources name it.") String id,
        @Schema(description = "The name given at upload.") String name,
        @Schema(description = "SHA-256 of the bytes, lowercase hex. Uploading the same bytes again gives back this image.") String sha256,
        @Schema(description = "Size in bytes (u64).") U64 size,
        @Schema(description = "When it was uploaded (RFC 3339).") Instant createdAt) {

    static ImageView from(ImageInfo i) {
        return new ImageView(i.id(), i.name(), i.sha256(), U64.of(i.size()), i.createdAt());
    }
}
