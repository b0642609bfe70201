package dev.restvisor.service.runtime;

import dev.restvisor.core.vm.PlatformSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * Ready-made VM definitions. The demo is a small interactive monitor this project writes and
 * ships (src/main/guest/demo.S): its image is put into the image catalog on first use, so a
 * template's definition can be posted to {@code /vms} unchanged.
 */
@Service
public class VmTemplates {

    /** A named definition with a description. */
    public record Template(String id, String description, VmSpec spec) {
    }

    private static final String DEMO_IMAGE = "/guests/demo.bin";
    private static final long DEMO_ENTRY = 0x7c00;

    private final ImageCatalog images;

    public VmTemplates(ImageCatalog images) {
        this.images = images;
    }

    public List<Template> list() {
        return List.of(demo());
    }

    public Template get(String id) {
        return list().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow(() ->
                new dev.restvisor.core.vm.VmError(dev.restvisor.core.vm.VmError.Errno.ENOENT, "id", "there is no template " + id));
    }

    private Template demo() {
        String image = images.upload("restvisor-demo.bin", new ByteArrayInputStream(demoImage())).image().id();
        PlatformSpec devices = PlatformSpec.of(List.of("com1"), true, true, true, 0xf4, false, false, true, false);
        VmSpec spec = new VmSpec("demo", List.of(new VmSpec.Region(0, 0, 0, 1 << 20)), 1, false, false, List.of(),
                VmSpec.OnShutdown.RESET, devices,
                new VmSpec.Boot(VmSpec.Boot.Kind.FLAT, image, DEMO_ENTRY, VmSpec.Boot.Entry.REAL, DEMO_ENTRY, null, null, null));
        return new Template("demo", "A small interactive monitor on COM1: it prints a banner, echoes input and answers "
                + "help, echo, info, time, reboot and exit. 1 MiB, one vcpu, COM1, PIC, PIT, RTC, debug exit on 0xF4.", spec);
    }

    private static byte[] demoImage() {
        try (InputStream in = VmTemplates.class.getResourceAsStream(DEMO_IMAGE)) {
            if (in == null) {
                throw new IllegalStateException(DEMO_IMAGE + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
