package dev.restvisor.service.api;

import dev.restvisor.service.runtime.ImageCatalog;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Uploaded images: kernels, initrds and flat binaries that boot sources name. */
@RestController
@Tag(name = "images", description = "Uploaded images for boot sources.")
public class ImageController {
    private final ImageCatalog images;

    public ImageController(ImageCatalog images) {
        this.images = images;
    }

    @PostMapping(value = "/images", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    @Operation(operationId = "uploadImage", summary = "Upload an image; the same bytes uploaded again give back the stored image")
    @ApiResponse(responseCode = "201", description = "The image was stored; Location names it.")
    @ApiResponse(responseCode = "200", description = "An image with the same SHA-256 was already stored; it is returned unchanged.")
    @ApiResponse(responseCode = "413", description = "The image is larger than the service's limit (restvisor.store.max-image-bytes).",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "507", description = "The catalog's disk is full (type insufficient-storage); the image was not stored and earlier data is intact.",
            content = @Content(mediaType = "application/problem+json"))
    public ResponseEntity<ImageView> upload(
            @RequestParam @Parameter(description = "A name for the image, 1-255 characters.") String name,
            @RequestBody(description = "The image's bytes.", required = true,
                    content = @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary")))
            InputStream body) {
        ImageCatalog.Upload u = images.upload(name, body);
        ImageView view = ImageView.from(u.image());
        return u.created() ? ResponseEntity.created(URI.create("/images/" + view.id())).body(view) : ResponseEntity.ok(view);
    }

    @GetMapping("/images")
    @Operation(operationId = "listImages", summary = "Every uploaded image, oldest first")
    @ApiResponse(responseCode = "200", description = "The images.")
    public List<ImageView> list() {
        return images.list().stream().map(ImageView::from).toList();
    }

    @GetMapping("/images/{id}")
    @Operation(operationId = "getImage", summary = "One uploaded image")
    @ApiResponse(responseCode = "200", description = "The image.")
    @Parameter(name = "id", in = ParameterIn.PATH, description = "Image id.")
    public ImageView get(@PathVariable String id) {
        return ImageView.from(images.get(id));
    }

    @DeleteMapping("/images/{id}")
    @Operation(operationId = "deleteImage", summary = "Delete an image that no VM definition names")
    @ApiResponse(responseCode = "204", description = "Deleted.")
    @ApiResponse(responseCode = "409", description = "A VM definition names the image.", content = @Content(mediaType = "application/problem+json"))
    @Parameter(name = "id", in = ParameterIn.PATH, description = "Image id.")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        images.delete(id);
        return ResponseEntity.noContent().build();
    }
}
